#!/usr/bin/env bash
# qqt CI: a real single-node Slurm for the sweep executor's integration test (SlurmExecutorIT).
# Adapted from the tested /work/shared/reference/slurm-local-example.sh; `start` is idempotent.
# Default state dir: ${TMPDIR:-/tmp}/qqt-slurm (override with SLURM_LOCAL_DIR).
# Single-node Slurm (Debian 12: slurm-wlm 22.05 + munge) on localhost, as root,
# without systemd and without cgroups. All state lives under $SLURM_LOCAL_DIR.
#
#   apt-get install -y slurm-wlm slurmctld slurmd slurm-client munge
#   bash slurm_local.sh start     # writes config, starts munged, slurmctld, slurmd
#   export SLURM_CONF=$SLURM_LOCAL_DIR/slurm.conf   # (printed by start)
#   bash slurm_local.sh test      # sbatch array + squeue + scancel + sacct checks
#   bash slurm_local.sh stop      # stops the daemons by PID (pid files)
# Optional full accounting (real sacct): apt-get install -y slurmdbd mariadb-server
#   and use WITH_DBD=1 for start/test (adds a private mariadbd on 127.0.0.1:$DB_PORT + slurmdbd).
set -euo pipefail
PEER_DIR=${PEER_DIR:-${TMPDIR:-/tmp}/qqt-slurm-test}

D=${SLURM_LOCAL_DIR:-${TMPDIR:-/tmp}/qqt-slurm}
CONF=$D/slurm.conf
export SLURM_CONF=$CONF
MUNGE_SOCK=$D/munge/munge.socket.2
WITH_DBD=${WITH_DBD:-0}
DB_PORT=${DB_PORT:-3307}
DBD_PORT=${DBD_PORT:-6819}
CTLD_PORT=${CTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}
now() { date +%s.%N; }

write_conf() {
  mkdir -p "$D"/{state,spool,log,munge,jobs}
  local cpus mem
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) - 1024 ))
  cat > "$CONF" <<EOF
ClusterName=local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=$([ "$WITH_DBD" = 1 ] && echo jobacct_gather/linux || echo jobacct_gather/none)
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
$(if [ "$WITH_DBD" = 1 ]; then
  echo "AccountingStorageType=accounting_storage/slurmdbd"
  echo "AccountingStorageHost=localhost"
  echo "AccountingStoragePort=$DBD_PORT"
  echo "AccountingStoragePass=$MUNGE_SOCK"   # munge socket for slurmdbd connections (AuthInfo is not used there)
else
  echo "AccountingStorageType=accounting_storage/none"
fi)
JobCompType=jobcomp/filetxt
JobCompLoc=$D/jobcomp.txt
MinJobAge=3600
${SLURM_EXTRA_CONF:-}
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

start_dbd() {
  # private MariaDB instance (no systemd), data under $D/mysql, TCP on 127.0.0.1:$DB_PORT
  mkdir -p "$D/mysql" "$D/mysqlrun"; chown mysql:mysql "$D/mysql" "$D/mysqlrun"
  if [ ! -d "$D/mysql/mysql" ]; then
    mariadb-install-db --user=mysql --datadir="$D/mysql" --auth-root-authentication-method=socket >"$D/log/mariadb-install.log" 2>&1
  fi
  setsid runuser -u mysql -- /usr/sbin/mariadbd --no-defaults --datadir="$D/mysql" \
      --socket="$D/mysqlrun/mysqld.sock" --pid-file="$D/mysqlrun/mariadbd.pid" \
      --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
      --log-error="$D/log/mariadb.log" --innodb-buffer-pool-size=128M \
      --innodb-lock-wait-timeout=900 --max-allowed-packet=16M >/dev/null 2>&1 &
  for _ in $(seq 300); do mariadb --no-defaults -S "$D/mysqlrun/mysqld.sock" -e 'select 1' >/dev/null 2>&1 && break; sleep 0.1; done
  mariadb --no-defaults -S "$D/mysqlrun/mysqld.sock" -e "
    CREATE DATABASE IF NOT EXISTS slurm_acct_db;
    CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurmlocal';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';"
  cat > "$D/slurmdbd.conf" <<EOF
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCK
DbdHost=localhost
DbdPort=$DBD_PORT
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=slurmlocal
StorageLoc=slurm_acct_db
PidFile=$D/slurmdbd.pid
LogFile=$D/log/slurmdbd.log
DebugLevel=info
EOF
  chmod 600 "$D/slurmdbd.conf"   # slurmdbd refuses a config readable by others
  /usr/sbin/slurmdbd   # no -f option: reads slurmdbd.conf next to $SLURM_CONF; daemonizes
  for _ in $(seq 30); do timeout 5 sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.2; done
  timeout 10 sacctmgr -i add cluster local >/dev/null 2>&1 || true
}

running() {
  [ -f "$D/slurmctld.pid" ] && kill -0 "$(cat "$D/slurmctld.pid")" 2>/dev/null \
    && [ -f "$D/slurmd.pid" ] && kill -0 "$(cat "$D/slurmd.pid")" 2>/dev/null \
    && timeout 10 sinfo -h >/dev/null 2>&1
}

start() {
  local t0 t1
  if running; then   # idempotent: reuse the daemons a previous start left running
    echo "slurm already running (node state: $(sinfo -h -N -o %t))"
    echo "export SLURM_CONF=$CONF"
    return 0
  fi
  stop >/dev/null 2>&1 || true   # stale pid files from a dead instance
  t0=$(now)
  write_conf
  # munged refuses to run as root without --force; run it as the munge user.
  chown munge:munge "$D/munge"; chmod 0755 "$D/munge"   # socket dir must be world-executable
  runuser -u munge -- /usr/sbin/munged --socket="$MUNGE_SOCK" \
      --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" \
      --seed-file="$D/munge/munged.seed"
  for _ in $(seq 50); do [ -S "$MUNGE_SOCK" ] && break; sleep 0.1; done
  munge -S "$MUNGE_SOCK" -n | unmunge -S "$MUNGE_SOCK" >/dev/null
  if [ "$WITH_DBD" = 1 ]; then start_dbd; fi
  /usr/sbin/slurmctld -f "$CONF"          # daemonizes, writes pid file
  /usr/sbin/slurmd -f "$CONF" -N localhost
  for _ in $(seq 300); do
    st=$(sinfo -h -N -o %t 2>/dev/null || true)
    [ "$st" = "idle" ] && break
    [ "$st" = "down" ] || [ "$st" = "drain" ] && scontrol update NodeName=localhost State=RESUME 2>/dev/null || true
    sleep 0.1
  done
  t1=$(now)
  echo "node state: $(sinfo -h -N -o %t)  startup_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')"
  echo "export SLURM_CONF=$CONF"
}

stop() {
  local f pid
  for f in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/slurmdbd.pid" "$D/mysqlrun/mariadbd.pid" "$D/munge/munged.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && { echo "pid $pid still alive, sending KILL"; kill -KILL "$pid"; }
      echo "stopped $(basename "$f" .pid) pid $pid"
    fi
  done
}

test_() {
  local out=${TEST_OUT:-$PEER_DIR} t0 t1 jid jid2
  mkdir -p "$out"; rm -f "$out"/out_{0,1,2,3}
  t0=$(now)
  jid=$(sbatch --parsable --array=0-3 -o /dev/null --wrap "echo \$SLURM_ARRAY_TASK_ID > $out/out_\$SLURM_ARRAY_TASK_ID")
  squeue
  for _ in $(seq 600); do
    n=$(ls "$out"/out_{0,1,2,3} 2>/dev/null | wc -l || true)
    [ "$n" = 4 ] && [ -z "$(squeue -h -j "$jid")" ] && break
    sleep 0.1
  done
  t1=$(now)
  echo "array $jid: outputs $(cat "$out"/out_{0,1,2,3} | tr '\n' ' ') in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')s"
  jid2=$(sbatch --parsable -o /dev/null --wrap 'sleep 300')
  for _ in $(seq 100); do [ "$(squeue -h -j "$jid2" -o %T)" = RUNNING ] && break; sleep 0.1; done
  squeue -j "$jid2"
  t0=$(now); scancel "$jid2"
  for _ in $(seq 100); do [ -z "$(squeue -h -j "$jid2" 2>/dev/null)" ] && break; sleep 0.1; done
  t1=$(now)
  echo "scancel of running job $jid2: gone from squeue after $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')s;" \
       "leftover 'sleep 300' processes: $(ps -e -o args= | grep -c '^sleep 300$' || true)"
  if [ "$WITH_DBD" = 1 ]; then
    sleep 1
    echo "sacct (slurmdbd):"
    sacct -X -S now-1hour -o JobID,JobName,State,ExitCode,Elapsed,AllocCPUS | tail -8
  else
    echo "sacct without slurmdbd only reads the jobcomp file via -c (default columns only):"
    sacct -c 2>/dev/null | tail -6 || true
  fi
  echo "jobcomp file (key=value per finished job):"; tail -1 "$D/jobcomp.txt" || true
}

case "${1:-}" in
  start) start ;;
  status) if running; then echo running; sinfo; else echo "not running"; exit 1; fi ;;
  stop) stop ;;
  test) test_ ;;
  conf) write_conf; cat "$CONF" ;;
  *) echo "usage: $0 start|status|test|stop|conf"; exit 2 ;;
esac
