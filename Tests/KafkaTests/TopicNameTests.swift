import Testing
@testable import Kafka

@Suite struct TopicNameTests {
    @Test(arguments: ["users_created", "users_created.dlq", "a", "A-Z_0.9", "...", "_consumer_offsets", String(repeating: "t", count: 249)])
    func kafkasNamesPass(_ name: String) throws {
        try TopicName.check(name)
    }

    @Test func everyRuleHasItsProblem() {
        func problem(_ name: String) -> TopicName.Problem? {
            do { try TopicName.check(name) } catch { return error }
            return nil
        }
        #expect(problem("") == .empty)
        #expect(problem(".") == .dotOrDotDot && problem("..") == .dotOrDotDot)
        #expect(problem("a/b") == .illegalCharacter("/") && problem("a b") == .illegalCharacter(" "))
        #expect(problem("ünï") == .illegalCharacter("ü"))
        #expect(problem("__consumer_offsets") == .internalTopic && problem("__transaction_state") == .internalTopic)
        #expect(problem(String(repeating: "t", count: 250)) == .tooLong(length: 250))
    }
}
