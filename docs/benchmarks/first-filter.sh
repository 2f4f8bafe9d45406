#!/bin/bash
# usage: docs/benchmarks/first-filter.sh BINARY LABEL PORT  (DIR: the filled data directory)
# Times each filter's first use on the service dashboard, each after a restart
# (a later use, or another filter of the same month, is served from memory).
BIN=$1; LABEL=$2; PORT=$3; DIR=${DIR:-/tmp/scale}
BASE=http://127.0.0.1:$PORT
JAR=${OUTDIR:-/tmp}/$LABEL-ff.jar
OUT=${OUTDIR:-/tmp}/$LABEL-first-filter.txt; : > $OUT
EMAIL=lead-$LABEL-ff-$(date +%s)@example.nhs.uk
echo "violet-harbour-kettle-7" | FEEDBACK_DATA_DIR=$DIR $BIN users add --email $EMAIL --name Lead --role quality >/dev/null 2>&1 || echo "users add failed"
t() { curl -s -b $JAR -o /dev/null -w '%{http_code} %{time_total}' "$BASE$1"; }
for q in "" "rating=poor" "rating=very_poor" "rating=dont_know" "theme=Contacting+services" "theme=Competence+%26+training" \
  "rating=poor&theme=Timeliness+of+care" "q=kind" "source=open&rating=poor"; do
  FEEDBACK_DATA_DIR=$DIR $BIN serve --addr 127.0.0.1:$PORT --rate-limit 0 --log-format text > ${OUTDIR:-/tmp}/$LABEL-ff.log 2>&1 &
  PID=$!
  until curl -s -o /dev/null -w '%{http_code}' $BASE/readyz | grep -q 200; do sleep 0.2; done
  rm -f $JAR; curl -s -c $JAR -o /dev/null -d "email=$EMAIL&password=violet-harbour-kettle-7" $BASE/login
  first=$(t "/dashboards/counselling?$q"); second=$(t "/dashboards/counselling?$q")
  printf '%-45s first %s s, second %s s, RSS %s MB\n' "?$q" "$first" "$second" "$(grep VmRSS /proc/$PID/status | awk '{print int($2/1024)}')" | tee -a $OUT
  kill -TERM $PID; wait $PID
done
