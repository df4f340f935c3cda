"""The pieces of the failover topology, each started and stopped by the test that uses it:
a PostgreSQL primary and its streaming standby (two clusters on loopback, synchronous
replication), and Debian's nginx in front of the kyso nodes.

PostgreSQL refuses to run as root: when the tests run as root, the clusters run as the
``postgres`` system user (``runuser``), in a folder of their own that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import _free_port

__all__ = ["Cluster", "nginx", "nginx_binary", "pg_bindir", "replicated_pair", "runnable"]

STANDBY = "kyso_standby"  # the standby's application_name, named by synchronous_standby_names


def pg_bindir() -> Path | None:
    """Where PostgreSQL's server programs are (Debian keeps them out of PATH), or None."""
    found = shutil.which("pg_ctl")
    if found and (Path(found).resolve().parent / "initdb").exists():
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(Path(p).parent.parent.name))
    return Path(versions[-1]).parent if versions else None


def runnable() -> bool:
    """PostgreSQL refuses root: as root, the clusters need the ``postgres`` system user."""
    if os.geteuid() != 0:
        return True
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return shutil.which("runuser") is not None


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _as_owner() -> tuple[list[str], int, int]:
    """The command prefix that runs PostgreSQL's programs, and the uid/gid owning its files."""
    if os.geteuid() != 0:
        return [], os.getuid(), os.getgid()
    user = pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"], user.pw_uid, user.pw_gid


@dataclass
class Cluster:
    """One PostgreSQL cluster on 127.0.0.1:``port``, data in ``data``."""

    bindir: Path
    data: Path
    port: int
    log: Path

    def run(self, program: str, *args: str, timeout: float = 60) -> str:
        prefix, _, _ = _as_owner()
        done = subprocess.run([*prefix, str(self.bindir / program), *args], capture_output=True,
                              text=True, timeout=timeout, check=False,
                              env={**os.environ, "LC_ALL": "C.UTF-8", "PGTZ": "UTC"})
        assert done.returncode == 0, f"{program} {args}: {done.stdout}{done.stderr}"
        return done.stdout

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def promote(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "promote")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def sql(self, statement: str, database: str = "kyso") -> str:
        return self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "kyso",
                        "-d", database, "-XAtqc", statement).strip()


def _settings(port: int, socket_dir: Path) -> str:
    return "\n".join([
        "listen_addresses = '127.0.0.1'", f"port = {port}",
        f"unix_socket_directories = '{socket_dir}'",
        "wal_level = replica", "max_wal_senders = 4", "hot_standby = on",
        "synchronous_commit = on",
        "wal_keep_size = '64MB'", "max_connections = 120",
        "shared_buffers = '32MB'", "fsync = off", "full_page_writes = off",  # test speed only
        ""])


_HBA = "\n".join([
    "local all all trust",
    "host all kyso 127.0.0.1/32 trust",
    "host replication replicator 127.0.0.1/32 trust",
    ""])


@contextmanager
def replicated_pair(bindir: Path) -> Iterator[tuple[Cluster, Cluster]]:
    """A primary (database ``kyso``, superuser ``kyso``, role ``replicator``) and a streaming
    standby made by ``pg_basebackup -R``; the primary waits for the standby on each commit."""
    _, uid, gid = _as_owner()
    root = Path(tempfile.mkdtemp(prefix="kyso-failover-"))
    os.chown(root, uid, gid)
    primary = Cluster(bindir, root / "primary", _free_port(), root / "primary.log")
    standby = Cluster(bindir, root / "standby", _free_port(), root / "standby.log")
    started: list[Cluster] = []
    try:
        primary.run("initdb", "-D", str(primary.data), "-U", "kyso", "--auth=trust",
                    "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        _write(primary.data / "postgresql.auto.conf", _settings(primary.port, root), uid, gid)
        _write(primary.data / "pg_hba.conf", _HBA, uid, gid)
        primary.start()
        started.append(primary)
        primary.sql("CREATE ROLE replicator WITH REPLICATION LOGIN", "postgres")
        primary.run("createdb", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "kyso",
                    "kyso")
        primary.run("pg_basebackup", "-D", str(standby.data), "-R", "-X", "stream", "-c", "fast",
                    "--no-sync", "-d",
                    f"host=127.0.0.1 port={primary.port} user=replicator "
                    f"application_name={STANDBY}")
        # the standby's own settings: its port, and no synchronous standby of its own, so
        # that once promoted (alone) it takes writes until a new standby is built from it
        with (standby.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {standby.port}\nsynchronous_standby_names = ''\n")
        standby.start()
        started.append(standby)
        # from now on a commit is acknowledged once the standby has it: what a client was
        # told is kept survives the primary (set once the standby streams, or it would wait)
        primary.sql(f"ALTER SYSTEM SET synchronous_standby_names = '{STANDBY}'")
        primary.sql("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 30
        while primary.sql("SELECT string_agg(sync_state, ',') FROM pg_stat_replication "
                          f"WHERE application_name = '{STANDBY}' AND state = 'streaming'") \
                != "sync":
            assert time.monotonic() < deadline, standby.log.read_text()
            time.sleep(0.1)
        yield primary, standby
    finally:
        for cluster in reversed(started):
            if cluster.running():
                with suppress(AssertionError, subprocess.TimeoutExpired):
                    cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _write(path: Path, text: str, uid: int, gid: int) -> None:
    path.write_text(text)
    os.chown(path, uid, gid)


_NGINX = """
daemon off;
master_process off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format upstreams '$status $upstream_addr';
    access_log {root}/access.log upstreams;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream kyso {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 32m;
        location / {{
            proxy_pass http://kyso;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


@contextmanager
def nginx(binary: str, upstreams: list[int], root: Path) -> Iterator[int]:
    """nginx on a free loopback port, round-robin over the kyso nodes on ``upstreams``; the
    port it listens on. A 503 from a node goes back to the client as it is."""
    port = _free_port()
    root.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in upstreams)
    conf = root / "nginx.conf"
    conf.write_text(_NGINX.format(root=root, servers=servers, port=port))
    check = subprocess.run([binary, "-t", "-c", str(conf), "-p", str(root)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    with (root / "nginx.out").open("wb") as out:
        process = subprocess.Popen([binary, "-c", str(conf), "-p", str(root)],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
