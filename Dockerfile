# Multi-stage build: a static binary (pure-Go SQLite for the embedded store) on a
# minimal image, run as a non-root user, with the embedded store's data and the
# keyring on volumes of their own.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -tags ferretdb_no_postgresql -ldflags="-s -w" -o /out/feedback ./cmd/feedback \
 && mkdir -p /out/data && mkdir -m 700 /out/keyring

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/feedback /usr/local/bin/feedback
# The volume's mount point belongs to the non-root user, so the store can write there.
COPY --from=build --chown=65532:65532 /out/data /data
# The keyring (private keys of the months still sealed) on a volume of its own:
# never inside the data volume, never in the same backup.
COPY --from=build --chown=65532:65532 /out/keyring /keyring
ENV FEEDBACK_ADDR=0.0.0.0:8080 \
    FEEDBACK_DATA_DIR=/data \
    FEEDBACK_KEYRING=/keyring
VOLUME ["/data", "/keyring"]
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/feedback"]
CMD ["serve"]
