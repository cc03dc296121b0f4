/// The one conversion of a `Duration` into each unit a peer or a report needs. (Nanoseconds for
/// NIO go through NIO's own `TimeAmount(_:)`.)
extension Duration {
    /// Whole milliseconds, rounded up to the next whole millisecond and saturated at the bounds of
    /// `Field`: a timeout or wait sent to a peer is never shorter than the one asked for, so
    /// 1.5 s is 1,500 ms, 1 ns is 1 ms, −1.5 ms is −1 ms, and a year is `Int32.max` in an INT32 field.
    public func wholeMilliseconds<Field: FixedWidthInteger>(as field: Field.Type = Int64.self) -> Field {
        let perMillisecond: Int128 = 1_000_000_000_000_000
        let (quotient, remainder) = attoseconds.quotientAndRemainder(dividingBy: perMillisecond)
        return Field(clamping: remainder > 0 ? quotient + 1 : quotient)
    }

    /// Seconds with their fraction, for rates and reports (no rounding beyond `Double`'s).
    public var fractionalSeconds: Double {
        Double(attoseconds) / 1e18
    }
}
