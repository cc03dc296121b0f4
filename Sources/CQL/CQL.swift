/// The CQL native protocol.
public enum CQLModule {}
