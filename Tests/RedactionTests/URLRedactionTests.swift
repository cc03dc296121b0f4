import Redaction
import Testing

/// Passwords in URLs never reach a message.
@Suite struct URLRedactionTests {
    @Test(arguments: [
        ("gave up on http://reader:pw@api.example/api/?results=5", "gave up on http://reader:****@api.example/api/?results=5"),
        ("--sink cassandra://app:p%40ss%2Fw@db1,db2:9042/ks", "--sink cassandra://app:****@db1,db2:9042/ks"),
        ("--sink cassandra:app:s3cr3t@db/ks is not a URL", "--sink cassandra:app:****@db/ks is not a URL"),
        ("a password with an unencoded @: cassandra://app:p@ss@db/ks", "a password with an unencoded @: cassandra://app:****@db/ks"),
        ("two: http://a:x@h1/ and https://b:y@h2/", "two: http://a:****@h1/ and https://b:****@h2/"),
    ])
    func passwordsAreHidden(text: String, shown: String) {
        #expect(URLRedaction.redacted(text) == shown)
    }

    @Test(arguments: ["http://api.example:8080/api/ for reader@example.com", "no URL here", "sqlite:data/users.db", "127.0.0.1:9092"])
    func textWithoutCredentialsIsUnchanged(text: String) {
        #expect(URLRedaction.redacted(text) == text)
    }

    @Test("redaction hides the password after the scheme and leaves an @ before it alone")
    func redacts() {
        #expect(URLRedaction.redacted("cassandra://app:hunter2@db/ks") == "cassandra://app:****@db/ks")
        #expect(URLRedaction.redacted("me@example://app:hunter2@db") == "me@example://app:****@db")
        #expect(URLRedaction.redacted("me@example://db") == "me@example://db")
    }
}
