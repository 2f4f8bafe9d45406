#!/bin/bash
# usage: docs/benchmarks/service-dashboard.sh BINARY LABEL PORT  (DIR: the filled data directory, N: requests per page)
# Times the service dashboard pages on the filled store in /tmp/scale.
BIN=$1; LABEL=$2; PORT=$3; DIR=${DIR:-/tmp/scale}
BASE=http://127.0.0.1:$PORT
JAR=${OUTDIR:-/tmp}/$LABEL.jar; rm -f $JAR
OUT=${OUTDIR:-/tmp}/$LABEL.txt; : > $OUT
EMAIL=lead-$LABEL-$(date +%s)@example.nhs.uk
echo "violet-harbour-kettle-7" | FEEDBACK_DATA_DIR=$DIR $BIN users add --email $EMAIL --name Lead --role quality >/dev/null 2>&1 || echo "users add failed"
FEEDBACK_DATA_DIR=$DIR $BIN serve --addr 127.0.0.1:$PORT --rate-limit 0 --log-format text > ${OUTDIR:-/tmp}/$LABEL.log 2>&1 &
PID=$!
until curl -s -o /dev/null -w '%{http_code}' $BASE/readyz | grep -q 200; do sleep 0.2; done
rss() { grep VmRSS /proc/$PID/status | awk '{print $2/1024 " MB"}'; }
echo "pid $PID; RSS at start: $(rss)" | tee -a $OUT
curl -s -c $JAR -o /dev/null -w 'login %{http_code}\n' -d "email=$EMAIL&password=violet-harbour-kettle-7" $BASE/login | tee -a $OUT
t() { curl -s -b $JAR -o /dev/null -w '%{http_code} %{time_total}\n' "$BASE$1"; }
echo "first /dashboards/counselling: $(t /dashboards/counselling)" | tee -a $OUT
echo "first /dashboards/peer-support: $(t /dashboards/peer-support)" | tee -a $OUT
echo "RSS after the two service pages: $(rss)" | tee -a $OUT
# A filter's first use after a restart (each later one is cached).
for q in "rating=poor" "rating=very_poor" "theme=Contacting+services" "theme=Competence+%26+training" "rating=poor&theme=Timeliness+of+care" "q=kind"; do
  echo "first /dashboards/counselling?$q: $(t "/dashboards/counselling?$q")" | tee -a $OUT
done
echo "RSS after the first filters: $(rss)" | tee -a $OUT
for path in "/dashboards/counselling" "/dashboards/counselling?rating=poor#comments" "/dashboards/counselling?theme=Contacting+services" "/dashboards/peer-support" "/dashboards/" "/api/v1/stats/counselling"; do
  for i in $(seq 1 ${N:-30}); do t "$path"; done | awk -v p="$path" '{ if ($1 != 200) bad++; print $2 }  END {}' | sort -n | awk -v p="$path" '{a[NR]=$1} END {printf "%-55s n=%d median %.1f ms p95 %.1f ms max %.1f ms\n", p, NR, a[int((NR+1)/2)]*1000, a[int(NR*0.95+0.5)]*1000, a[NR]*1000}' | tee -a $OUT
done
echo "RSS after the runs: $(rss)" | tee -a $OUT
curl -s -b $JAR -o ${OUTDIR:-/tmp}/$LABEL.csv -w "comments CSV %{http_code} %{time_total}s %{size_download} bytes\n" "$BASE/dashboards/counselling/comments.csv" | tee -a $OUT
echo "RSS after one comments CSV: $(rss); peak (VmHWM) $(grep VmHWM /proc/$PID/status | awk '{print $2/1024 " MB"}')" | tee -a $OUT
kill -TERM $PID; wait $PID
