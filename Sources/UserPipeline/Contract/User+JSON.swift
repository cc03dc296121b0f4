extension User {
    /// The contract's JSON object as UTF-8 bytes, keys in contract order; the Kafka message value.
    public func jsonBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(384)
        appendJSON(to: &bytes)
        return bytes
    }

    /// Appends `jsonBytes()` to `bytes`, so many users can share one buffer.
    func appendJSON(to bytes: inout [UInt8]) {
        var writer = JSONTextWriter(capacity: 0)
        swap(&writer.bytes, &bytes)  // the writer takes the array over without copying it
        defer { swap(&writer.bytes, &bytes) }
        writer.raw("{\"id\":")
        writer.string(id)
        writer.raw(",\"first_name\":")
        writer.string(firstName)
        writer.raw(",\"last_name\":")
        writer.string(lastName)
        writer.raw(",\"gender\":")
        writer.string(gender)
        writer.raw(",\"address\":")
        writer.string(address)
        writer.raw(",\"post_code\":")
        writer.string(postCode)
        writer.raw(",\"email\":")
        writer.string(email)
        writer.raw(",\"username\":")
        writer.string(username)
        writer.raw(",\"dob\":")
        writer.string(dob)
        writer.raw(",\"registered_date\":")
        writer.string(registeredDate)
        writer.raw(",\"phone\":")
        writer.string(phone)
        writer.raw(",\"picture\":")
        writer.string(picture)
        writer.raw("}")
    }
}
