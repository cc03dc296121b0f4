extension User {
    /// The contract's JSON object as UTF-8 bytes, keys in contract order; the Kafka message value.
    public func jsonBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(384)
        appendJSON(to: &bytes)
        return bytes
    }

    /// Appends `jsonBytes()` to `bytes`, so many users can share one buffer.
    package func appendJSON(to bytes: inout [UInt8]) {
        func field(_ opening: StaticString, _ value: String) {
            opening.withUTF8Buffer { bytes.append(contentsOf: $0) }
            JSONTextWriter.appendString(value, to: &bytes)
        }
        field("{\"id\":", id)
        field(",\"first_name\":", firstName)
        field(",\"last_name\":", lastName)
        field(",\"gender\":", gender)
        field(",\"address\":", address)
        field(",\"post_code\":", postCode)
        field(",\"email\":", email)
        field(",\"username\":", username)
        field(",\"dob\":", dob)
        field(",\"registered_date\":", registeredDate)
        field(",\"phone\":", phone)
        field(",\"picture\":", picture)
        bytes.append(UInt8(ascii: "}"))
    }
}
