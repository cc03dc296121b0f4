"""The Spark pins stay a combination their makers publish as compatible: the compose file's Spark
image, the Kafka connector (released with Spark, so at Spark's exact version), the Cassandra connector
(whose release line names the Spark line it supports: 3.5.x for Spark 3.5, 4.1.x for Spark 4.1 —
its CHANGES.txt, cited in deploy/README.md), and the pyspark the Spark tests run against (its bundled
Connect server is what `userstream spark submit` is tested with). Each check is also shown failing."""
import copy
import re

import yaml

from deploy_env import DEPLOY, ROOT

COMPOSE = DEPLOY / "docker-compose.yml"
SPARK_REQUIREMENTS = ROOT / "tests" / "spark" / "requirements.txt"
# Cassandra connector line → the Spark line it was released for (the connector's CHANGES.txt:
# 3.5.0 "Support for Apache Spark 3.5", 4.1.0 "Add support for Apache Spark 4.1").
CASSANDRA_CONNECTOR_FOR_SPARK = {"3.5": "3.5", "4.1": "4.1"}
SPARK_SERVICES = ("spark-master", "spark-worker", "spark-connect")


def line(version: str) -> str:
    return ".".join(version.split(".")[:2])


def pins(compose: dict, requirements: str) -> dict:
    """Every Spark-related version the stack and the tests name."""
    services = compose["services"]
    connect = services["spark-connect"]
    tag = connect["image"].rsplit(":", 1)[1]
    packages = connect["command"][connect["command"].index("--packages") + 1].split(",")
    by_artifact = {p.split(":")[1]: p.split(":")[2] for p in packages}
    pyspark = re.search(r"^pyspark==(\S+)$", requirements, re.M)
    return {
        "images": {services[name]["image"] for name in SPARK_SERVICES},
        "spark": tag.split("-")[0],
        "scala": re.search(r"scala(\d+\.\d+)", tag).group(1),
        "kafka": {a: v for a, v in by_artifact.items() if a.startswith("spark-sql-kafka-0-10_")},
        "cassandra": {a: v for a, v in by_artifact.items() if a.startswith("spark-cassandra-connector_")},
        "pyspark": pyspark.group(1) if pyspark else None,
    }


def problems(compose: dict, requirements: str) -> list[str]:
    found = []
    p = pins(compose, requirements)
    spark, scala = p["spark"], p["scala"]
    if len(p["images"]) != 1:
        found.append(f"the Spark services run different images: {sorted(p['images'])}")
    if p["kafka"] != {f"spark-sql-kafka-0-10_{scala}": spark}:
        found.append(f"Kafka connector {p['kafka']} is not spark-sql-kafka-0-10_{scala} at Spark's version {spark}")
    if len(p["cassandra"]) != 1:
        found.append(f"expected one Cassandra connector, found {p['cassandra']}")
    for artifact, version in p["cassandra"].items():
        if not artifact.endswith(f"_{scala}"):
            found.append(f"Cassandra connector {artifact} is not built for Scala {scala}")
        if CASSANDRA_CONNECTOR_FOR_SPARK.get(line(version)) != line(spark):
            found.append(f"Cassandra connector {version} (line {line(version)}) does not support Spark {spark}; "
                         f"its release lines: {CASSANDRA_CONNECTOR_FOR_SPARK}")
    if p["pyspark"] != spark:
        found.append(f"the Spark tests run pyspark {p['pyspark']}, the stack runs Spark {spark}")
    return found


def current():
    return yaml.safe_load(COMPOSE.read_text()), SPARK_REQUIREMENTS.read_text()


def test_spark_pins_are_a_published_compatible_combination():
    assert problems(*current()) == []


def with_packages(compose, kafka=None, cassandra=None):
    compose = copy.deepcopy(compose)
    command = compose["services"]["spark-connect"]["command"]
    at = command.index("--packages") + 1
    packages = command[at].split(",")
    for n, package in enumerate(packages):
        group, artifact, version = package.split(":")
        if kafka and "kafka" in artifact:
            packages[n] = f"{group}:{artifact}:{kafka}"
        if cassandra and "cassandra" in artifact:
            packages[n] = f"{group}:{artifact}:{cassandra}"
    command[at] = ",".join(packages)
    return compose


def test_drift_is_caught():
    compose, requirements = current()
    spark = pins(compose, requirements)["spark"]
    # The combination this stack shipped before: Spark 4 with the connector line for Spark 3.5.
    assert any("does not support Spark" in p for p in problems(with_packages(compose, cassandra="3.5.1"), requirements))
    assert any("Kafka connector" in p for p in problems(with_packages(compose, kafka="4.0.0"), requirements))
    assert any("pyspark" in p for p in problems(compose, requirements.replace(f"pyspark=={spark}", "pyspark==4.3.0")))
    older = copy.deepcopy(compose)
    older["services"]["spark-worker"]["image"] = "apache/spark:4.0.0-scala2.13-java17-python3-ubuntu"
    assert any("different images" in p for p in problems(older, requirements))


def test_readme_names_the_pinned_versions_and_their_source():
    compose, requirements = current()
    p = pins(compose, requirements)
    readme = (DEPLOY / "README.md").read_text()
    for artifact, version in {**p["kafka"], **p["cassandra"]}.items():
        assert f"{artifact}:{version}" in readme, f"deploy/README.md does not name {artifact}:{version}"
    assert f"Spark {p['spark']}" in readme
    assert "cassandra-spark-connector" in readme and "CHANGES.txt" in readme, "the connector's release notes are not cited"
