#!/bin/bash
# The cassandra service's entrypoint (deploy/docker-compose.yml). The image has no setting for
# authentication, so this turns on PasswordAuthenticator and CassandraAuthorizer in cassandra.yaml,
# then starts the image's own entrypoint. On the first start of a data volume the only role is the
# image's built-in superuser cassandra/cassandra: it creates userstream_admin with the password in
# the secret cassandra_admin_password, and userstream_admin then takes the built-in role's
# superuser status and login away (its password becomes a random one nobody keeps).
# The passwords never reach a command line: cqlsh reads them from files on the tmpfs /run/cqlsh.
set -euo pipefail
admin=userstream_admin
rc=/run/cqlsh
umask 077
mkdir -p "$rc"

sed -i -e 's/AllowAllAuthenticator/PasswordAuthenticator/' -e 's/AllowAllAuthorizer/CassandraAuthorizer/' \
  /etc/cassandra/cassandra.yaml

cqlshrc() {  # cqlshrc NAME USER PASSWORD: a cqlshrc that signs in as USER
  printf '[authentication]\nusername = %s\npassword = %s\n' "$2" "$3" > "$rc/$1.rc"
}
quoted() { local text=$1; printf "'%s'" "${text//\'/\'\'}"; }  # a CQL string literal
cqlshrc "$admin" "$admin" "$(cat /run/secrets/cassandra_admin_password)"
cqlshrc built-in cassandra cassandra

docker-entrypoint.sh cassandra -f &
cassandra=$!
trap 'kill -TERM "$cassandra"' TERM INT

signs_in() { cqlsh --cqlshrc "$rc/$1.rc" -e 'exit' 2>&1; }
while :; do
  kill -0 "$cassandra" 2>/dev/null || { wait "$cassandra"; exit $?; }
  if signs_in "$admin" >/dev/null; then
    break
  elif signs_in built-in >/dev/null; then
    echo "userstream: first start — creating $admin and locking the built-in superuser" >&2
    printf 'CREATE ROLE IF NOT EXISTS %s WITH PASSWORD = %s AND SUPERUSER = true AND LOGIN = true;\n' \
      "$admin" "$(quoted "$(cat /run/secrets/cassandra_admin_password)")" > "$rc/create.cql"
    cqlsh --cqlshrc "$rc/built-in.rc" -f "$rc/create.cql"
    printf 'ALTER ROLE cassandra WITH PASSWORD = %s AND SUPERUSER = false AND LOGIN = false;\n' \
      "$(quoted "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')")" > "$rc/lock.cql"
    cqlsh --cqlshrc "$rc/$admin.rc" -f "$rc/lock.cql"
    rm -f "$rc/create.cql" "$rc/lock.cql"
  elif signs_in "$admin" | grep -q AuthenticationFailed; then
    echo "userstream: $admin does not sign in with the password in cassandra_admin_password: was" \
         "CASSANDRA_ADMIN_PASSWORD changed in deploy/.env without ALTER ROLE? (deploy/README.md, rotating a password)" >&2
  fi
  sleep 5
done
rm -f "$rc/built-in.rc"
wait "$cassandra"
