# Multi-stage build: a static binary (pure-Go SQLite for the embedded store) on a
# minimal image, run as a non-root user, with the embedded store's data on a volume.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -tags ferretdb_no_postgresql -ldflags="-s -w" -o /out/feedback ./cmd/feedback \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/feedback /usr/local/bin/feedback
# The volume's mount point belongs to the non-root user, so the store can write there.
COPY --from=build --chown=65532:65532 /out/data /data
ENV FEEDBACK_ADDR=0.0.0.0:8080 \
    FEEDBACK_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/feedback"]
CMD ["serve"]
