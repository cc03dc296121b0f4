/// Spark Connect client: generated protobuf/gRPC code plus a small session API.
public enum SparkConnect {}
