/// A Cassandra client speaking the CQL native protocol v4, and v5 when the server offers it.
///
/// Layers, one folder each:
/// - `Protocol/`: frames (v4) / envelopes (v5), v5 segments with CRC24/CRC32, [notation] primitives.
/// - `Messages/`: request encoders and response decoders (RESULT kinds, ERROR details).
/// - `Types/`: `CQLDataType`, `CQLValue`, binding by column type, row decoding.
/// - `Connection/`: `CQLConnectionStateMachine` (handshake, auth, stream ids, timeouts) as a pure
///   value, `CQLChannelHandler` performing its actions, `CQLConnection`.
/// - `Session/`: `CQLSession` over a cluster (peers, round-robin, backoff, re-prepare, schema agreement).
///
/// No Cassandra server runs where this module is developed: it is verified against the protocol
/// specs, the DataStax Python driver's own encoders and decoders, and a scripted protocol peer.
public enum CQLModule {}
