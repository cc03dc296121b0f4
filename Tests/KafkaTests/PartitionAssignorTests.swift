@testable import Kafka
import Testing

/// Expected assignments are worked out by hand from the Java client's RangeAssignor and
/// RoundRobinAssignor (members ordered by member id, partitions by topic then number).
@Suite struct PartitionAssignorTests {
    func tp(_ topic: String, _ partition: Int32) -> TopicPartition { TopicPartition(topic: topic, partition: partition) }

    @Test("range: two members, two topics of three partitions")
    func rangeTwoTopics() {
        let members = [AssignorMember(memberID: "c1", topics: ["t0", "t1"]), AssignorMember(memberID: "c0", topics: ["t0", "t1"])]
        let result = PartitionAssignor.range.assign(members, partitionCounts: ["t0": 3, "t1": 3])
        #expect(result["c0"] == [tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)])
        #expect(result["c1"] == [tp("t0", 2), tp("t1", 2)])
    }

    @Test("range: six partitions over four members, the first ones get the extra")
    func rangeUneven() {
        let members = ["m-d", "m-a", "m-c", "m-b"].map { AssignorMember(memberID: $0, topics: ["t"]) }
        let result = PartitionAssignor.range.assign(members, partitionCounts: ["t": 6])
        #expect(result["m-a"] == [tp("t", 0), tp("t", 1)])
        #expect(result["m-b"] == [tp("t", 2), tp("t", 3)])
        #expect(result["m-c"] == [tp("t", 4)])
        #expect(result["m-d"] == [tp("t", 5)])
    }

    @Test("range: members only share the topics they subscribe to; missing topics are skipped")
    func rangeDifferentSubscriptions() {
        let members = [AssignorMember(memberID: "c0", topics: ["t0"]), AssignorMember(memberID: "c1", topics: ["t0", "t1", "gone"])]
        let result = PartitionAssignor.range.assign(members, partitionCounts: ["t0": 3, "t1": 2])
        #expect(result["c0"] == [tp("t0", 0), tp("t0", 1)])
        #expect(result["c1"] == [tp("t0", 2), tp("t1", 0), tp("t1", 1)])
    }

    @Test("range: more members than partitions leaves the last members empty")
    func rangeMoreMembers() {
        let members = ["a", "b", "c"].map { AssignorMember(memberID: $0, topics: ["t"]) }
        let result = PartitionAssignor.range.assign(members, partitionCounts: ["t": 2])
        #expect(result["a"] == [tp("t", 0)])
        #expect(result["b"] == [tp("t", 1)])
        #expect(result["c"] == [])
    }

    @Test("static members (group instance id) come before dynamic ones, ordered by instance id")
    func staticMembersFirst() {
        let members = [AssignorMember(memberID: "a", topics: ["t"]),
                       AssignorMember(memberID: "z", groupInstanceID: "i-2", topics: ["t"]),
                       AssignorMember(memberID: "y", groupInstanceID: "i-1", topics: ["t"])]
        let result = PartitionAssignor.range.assign(members, partitionCounts: ["t": 3])
        #expect(result["y"] == [tp("t", 0)])
        #expect(result["z"] == [tp("t", 1)])
        #expect(result["a"] == [tp("t", 2)])
    }

    @Test("roundrobin: two members, two topics of three partitions")
    func roundRobinTwoTopics() {
        let members = [AssignorMember(memberID: "c0", topics: ["t1", "t0"]), AssignorMember(memberID: "c1", topics: ["t0", "t1"])]
        let result = PartitionAssignor.roundRobin.assign(members, partitionCounts: ["t0": 3, "t1": 3])
        #expect(result["c0"] == [tp("t0", 0), tp("t0", 2), tp("t1", 1)])
        #expect(result["c1"] == [tp("t0", 1), tp("t1", 0), tp("t1", 2)])
    }

    @Test("roundrobin: members skip partitions of topics they do not subscribe to")
    func roundRobinDifferentSubscriptions() {
        let members = [AssignorMember(memberID: "c0", topics: ["t0"]),
                       AssignorMember(memberID: "c1", topics: ["t0", "t1"]),
                       AssignorMember(memberID: "c2", topics: ["t0", "t1", "t2"])]
        let result = PartitionAssignor.roundRobin.assign(members, partitionCounts: ["t0": 1, "t1": 2, "t2": 3])
        #expect(result["c0"] == [tp("t0", 0)])
        #expect(result["c1"] == [tp("t1", 0)])
        #expect(result["c2"] == [tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)])
    }

    @Test("roundrobin: six partitions over three members")
    func roundRobinSix() {
        let members = ["b", "c", "a"].map { AssignorMember(memberID: $0, topics: ["t"]) }
        let result = PartitionAssignor.roundRobin.assign(members, partitionCounts: ["t": 6])
        #expect(result["a"] == [tp("t", 0), tp("t", 3)])
        #expect(result["b"] == [tp("t", 1), tp("t", 4)])
        #expect(result["c"] == [tp("t", 2), tp("t", 5)])
    }

    @Test("protocol names are the ones other clients use")
    func protocolNames() {
        #expect(PartitionAssignor.range.protocolName == "range")
        #expect(PartitionAssignor.roundRobin.protocolName == "roundrobin")
        #expect(PartitionAssignor(protocolName: "roundrobin") == .roundRobin)
        #expect(PartitionAssignor(protocolName: "cooperative-sticky") == nil)
    }
}
