#!/usr/bin/env bash
# Items per second from contextmap's OGC API Features and CrunchyData's
# pg_featureserv serving the same table of 100,000 places, side by side in
# one run: limit=1000 and limit=10000, one and 20 concurrent clients, each
# measurement taken ROUNDS times, the two servers alternating, median kept.
#
#   docs/bench/ogc-compare.sh            # from the repository root
#   ROUNDS=5 DURATION=10 docs/bench/ogc-compare.sh
#
# Needs: Go, wrk (apt-get install wrk), curl, psql, the project's local
# PostGIS cluster (started by ./bin/contextmap db start). pg_featureserv is
# built from its public source (Go module proxy) in a temporary directory;
# none of its code enters this repository. Everything listens on 127.0.0.1
# and stops when the script ends.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
PGFS_VERSION=${PGFS_VERSION:-v1.3.1}
CM_PORT=${CM_PORT:-18181}
PGFS_PORT=${PGFS_PORT:-19191}
N=100000

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${admin:-}" ] && psql "$admin" -qc "DROP DATABASE IF EXISTS cm_ogc_bench WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

for tool in wrk curl psql go; do
	command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

echo "building contextmap" >&2
go build -o "$work/contextmap" ./cmd/contextmap
"$work/contextmap" db start >/dev/null
admin=$("$work/contextmap" db admin-url)
db="${admin%/postgres*}/cm_ogc_bench?${admin#*\?}"

echo "building pg_featureserv $PGFS_VERSION from the Go module proxy" >&2
modcache=$(go env GOMODCACHE)
src="$modcache/github.com/!crunchy!data/pg_featureserv@$PGFS_VERSION"
if [ ! -d "$src" ]; then
	# go install fetches the module's zip into the module cache, then may
	# fail when the proxy hides the version list; the zip is what we need.
	(cd "$work" && GOFLAGS=-mod=mod GOBIN="$work/gobin" go install "github.com/CrunchyData/pg_featureserv@$PGFS_VERSION" >/dev/null 2>&1) || true
fi
[ -d "$src" ] || { echo "could not fetch pg_featureserv $PGFS_VERSION" >&2; exit 1; }
cp -r "$src" "$work/pgfs-src" && chmod -R u+w "$work/pgfs-src"
(cd "$work/pgfs-src" && GOFLAGS=-mod=mod go build -o "$work/pg_featureserv" .)

echo "loading $N places" >&2
psql "$admin" -qc "DROP DATABASE IF EXISTS cm_ogc_bench WITH (FORCE)" -c "CREATE DATABASE cm_ogc_bench" >/dev/null
psql "$db" -qc "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS btree_gist;" >/dev/null
DATABASE_URL="$db" "$work/contextmap" migrate >/dev/null 2>&1
# The same places as TestOGCPagination100k: points over Cumbria, every
# 50th a sensitive house.
psql "$db" -qc "INSERT INTO places (name, kind, sensitive, geom)
	SELECT 'Place ' || g, CASE WHEN g % 50 = 0 THEN 'house' ELSE 'park' END, g % 50 = 0,
	       ST_SetSRID(ST_MakePoint(-3.6 + (g % 1000) * 0.0014, 54.0 + (g / 1000) * 0.0011), 4326)
	FROM generate_series(1, $N) g" -c "VACUUM ANALYZE places" >/dev/null
token=$(DATABASE_URL="$db" "$work/contextmap" token create --role analyst --name bench | tail -n 1)

echo "starting both servers" >&2
CONTEXTMAP_LISTEN=127.0.0.1:$CM_PORT CONTEXTMAP_RATE_LIMIT=0 CONTEXTMAP_MIGRATE=false CONTEXTMAP_LOG_LEVEL=warn \
	DATABASE_URL="$db" "$work/contextmap" serve >"$work/cm.log" 2>&1 &
pids+=($!)
cat >"$work/pgfs.toml" <<EOF
[Server]
HttpHost = "127.0.0.1"
HttpPort = $PGFS_PORT
AssetsPath = "$work/pgfs-src/assets"
ReadTimeoutSec = 60
WriteTimeoutSec = 120
[Database]
DbPoolMaxConns = 8
[Paging]
LimitDefault = 100
LimitMax = 10000
EOF
(cd "$work/pgfs-src" && DATABASE_URL="$db" exec "$work/pg_featureserv" --config "$work/pgfs.toml" >"$work/pgfs.log" 2>&1) &
pids+=($!)
for url in "http://127.0.0.1:$CM_PORT/healthz" "http://127.0.0.1:$PGFS_PORT/collections.json"; do
	for _ in $(seq 50); do curl -fs -o /dev/null "$url" && break; sleep 0.2; done
done

# Both serve the first page of the same places with the same properties
# (pg_featureserv would otherwise add x, y, ext_ref and the timestamps).
cm_url() { echo "http://127.0.0.1:$CM_PORT/ogc/collections/places/items?limit=$1"; }
pgfs_url() { echo "http://127.0.0.1:$PGFS_PORT/collections/public.places/items.json?limit=$1&properties=name,kind,sensitive,urn,district"; }

# Check both return full pages before timing anything.
for limit in 1000 10000; do
	a=$(curl -fs -H "Authorization: Bearer $token" "$(cm_url $limit)" | grep -o '"type":"Feature"' | wc -l)
	b=$(curl -fs "$(pgfs_url $limit)" | grep -o '"type":"Feature"' | wc -l)
	[ "$a" = "$limit" ] && [ "$b" = "$limit" ] || { echo "limit=$limit: contextmap $a, pg_featureserv $b features" >&2; exit 1; }
done

# rps SERVER LIMIT CLIENTS: requests per second from one wrk run.
rps() {
	local url hdr=()
	if [ "$1" = cm ]; then url=$(cm_url "$2"); hdr=(-H "Authorization: Bearer $token"); else url=$(pgfs_url "$2"); fi
	wrk -t"$(($3 < 2 ? 1 : 2))" -c"$3" -d"${DURATION}s" --timeout 60s "${hdr[@]}" "$url" |
		awk '/^Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx" > "/dev/stderr"; exit 1}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "| limit | clients | contextmap items/s | pg_featureserv items/s | ratio |"
echo "|---:|---:|---:|---:|---:|"
for limit in 1000 10000; do
	for clients in 1 20; do
		: >"$work/cm.r"; : >"$work/pgfs.r"
		for round in $(seq "$ROUNDS"); do
			# Alternate which server goes first, so neither always runs warm.
			if [ $((round % 2)) = 1 ]; then order="cm pgfs"; else order="pgfs cm"; fi
			for s in $order; do rps "$s" "$limit" "$clients" >>"$work/$s.r"; done
		done
		cm=$(median <"$work/cm.r"); pg=$(median <"$work/pgfs.r")
		for s in cm pgfs; do
			if grep -qx '0.00' "$work/$s.r"; then
				echo "$s answered nothing in a round: its log ends" >&2
				tail -n 20 "$work/$s.log" >&2
			fi
		done
		awk -v l="$limit" -v c="$clients" -v a="$cm" -v b="$pg" \
			'BEGIN {printf "| %d | %d | %.0f | %.0f | %.2f |\n", l, c, a*l, b*l, (b > 0 ? a/b : 0)}'
		echo "limit=$limit clients=$clients rounds: contextmap $(tr '\n' ' ' <"$work/cm.r")req/s; pg_featureserv $(tr '\n' ' ' <"$work/pgfs.r")req/s" >&2
	done
done
echo >&2 "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
