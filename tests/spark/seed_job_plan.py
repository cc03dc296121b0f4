"""Builds the seed's Kafka → Cassandra stream job with pyspark's own Spark Connect client and
prints the serialised `spark.connect.Plan` (hex) that pyspark would send to start it.

    python tests/spark/seed_job_plan.py --bootstrap-servers HOST:PORT --checkpoint DIR
        [--keyspace spark_streams] [--table created_users] [--topic users_created]

No server is contacted: the client's command execution is replaced by a recorder, so the plan
is captured exactly as pyspark serialises it.
"""
import argparse
import sys

import pyspark.errors.utils as errors_utils
from pyspark.sql import SparkSession
from pyspark.sql.functions import col, from_json
from pyspark.sql.types import StringType, StructField, StructType

FIELDS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email",
          "username", "dob", "registered_date", "phone", "picture"]


class Captured(Exception):
    def __init__(self, plan):
        self.plan = plan


def seed_job_plan(bootstrap_servers, checkpoint, keyspace, table, topic):
    # Call-site origins describe where pyspark was called from, not the job, and fetching
    # their setting would need a server: leave them out.
    errors_utils._enable_debugging_cache = False
    spark = SparkSession.builder.remote("sc://127.0.0.1:1").getOrCreate()

    def record(command, *args, **kwargs):
        plan = spark.client._execute_plan_request_with_metadata().plan.__class__()
        plan.command.CopyFrom(command)
        raise Captured(plan)

    spark.client.execute_command = record
    # The seed's job, as its spark_stream.py writes it.
    spark_df = (spark.readStream.format("kafka")
                .option("kafka.bootstrap.servers", bootstrap_servers)
                .option("subscribe", topic)
                .option("startingOffsets", "earliest")
                .load())
    schema = StructType([StructField(name, StringType(), False) for name in FIELDS])
    selection_df = (spark_df.selectExpr("CAST(value AS STRING)")
                    .select(from_json(col("value"), schema).alias("data")).select("data.*"))
    try:
        (selection_df.writeStream.format("org.apache.spark.sql.cassandra")
         .option("checkpointLocation", checkpoint)
         .option("keyspace", keyspace)
         .option("table", table)
         .start())
    except Captured as captured:
        return captured.plan
    raise RuntimeError("pyspark started the query without sending a command")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--keyspace", default="spark_streams")
    parser.add_argument("--table", default="created_users")
    parser.add_argument("--topic", default="users_created")
    parser.add_argument("--text", action="store_true", help="print the text format instead of hex")
    parser.add_argument("--compare", metavar="HEX",
                        help="a serialised Plan (hex) to compare with pyspark's; exit 1 and print both if they differ")
    args = parser.parse_args()
    plan = seed_job_plan(args.bootstrap_servers, args.checkpoint, args.keyspace, args.table, args.topic)
    if args.compare is not None:
        other = plan.__class__()
        other.ParseFromString(bytes.fromhex(args.compare))
        if other == plan:
            print("plans are equal")
            return 0
        print("--- pyspark's plan\n%s\n--- the given plan\n%s" % (plan, other))
        return 1
    print(str(plan) if args.text else plan.SerializeToString(deterministic=True).hex())
    return 0


if __name__ == "__main__":
    sys.exit(main())
