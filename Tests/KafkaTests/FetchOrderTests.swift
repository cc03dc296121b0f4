@testable import Kafka
import Testing

@Suite struct FetchOrderTests {
    let six = (0..<6).map { TopicPartition(topic: "users_created", partition: Int32($0)) }

    @Test("each round starts one partition further on, so every partition is first once in six rounds")
    func rotatesThePartitionsBetweenRounds() {
        let firsts = (0..<6).map { FetchOrder.plan(six.shuffled(), round: $0)[0].partitions[0] }
        #expect(firsts == [0, 1, 2, 3, 4, 5])
        #expect(FetchOrder.plan(six, round: 2)[0].partitions == [2, 3, 4, 5, 0, 1])
        #expect(FetchOrder.plan(six, round: 8)[0].partitions == [2, 3, 4, 5, 0, 1])
    }

    @Test("every partition is in every round once, grouped by topic, whatever the round number")
    func keepsEveryPartitionOnce() {
        let partitions = six + [TopicPartition(topic: "a", partition: 1), TopicPartition(topic: "a", partition: 0)]
        for round in [0, 1, 7, -3, Int.max] {
            let plan = FetchOrder.plan(partitions, round: round)
            #expect(Set(plan.map(\.topic)) == ["a", "users_created"])
            #expect(plan.first { $0.topic == "a" }?.partitions.sorted() == [0, 1])
            #expect(plan.first { $0.topic == "users_created" }?.partitions.sorted() == [0, 1, 2, 3, 4, 5])
        }
        #expect(FetchOrder.plan([TopicPartition](), round: 3).isEmpty)
    }
}
