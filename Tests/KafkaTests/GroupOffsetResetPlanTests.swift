@testable import Kafka
import Testing

@Suite struct GroupOffsetResetPlanTests {
    @Test("moving back counts the records processed again; moving forward counts those skipped; totals add up")
    func backAndForward() {
        let plan = GroupOffsetResetPlan.plan(group: "g", topic: "t", starts: [0: 0, 1: 0], ends: [0: 100, 1: 50],
                                             committed: [0: 80, 1: 10], targets: [0: 30, 1: 40])
        #expect(plan.moves.map { ($0.partition, $0.newOffset, $0.reprocessed, $0.skipped) }.elementsEqual([(0, 30, 50, 0), (1, 40, 0, 30)], by: ==))
        #expect((plan.reprocessed, plan.skipped) == (50, 30))
        #expect(plan.newOffsets == [TopicPartition(topic: "t", partition: 0): 30, TopicPartition(topic: "t", partition: 1): 40])
    }

    @Test("nothing committed counts from the log start, where the group would begin")
    func nothingCommitted() throws {
        let plan = GroupOffsetResetPlan.plan(group: "g", topic: "t", starts: [0: 20], ends: [0: 100], committed: [:], targets: [0: 100])
        let move = try #require(plan.moves.first)
        #expect(move.committed == nil)
        #expect((move.position, move.reprocessed, move.skipped) == (20, 0, 80))
    }

    @Test("a commit outside the log counts from the log's nearest edge; a target outside it is moved inside")
    func outsideTheLog() {
        let plan = GroupOffsetResetPlan.plan(group: "g", topic: "t", starts: [0: 40, 1: 0], ends: [0: 100, 1: 10],
                                             committed: [0: 5, 1: 500], targets: [0: 0, 1: 99])
        #expect(plan.moves.map { ($0.position, $0.newOffset, $0.reprocessed, $0.skipped) }.elementsEqual([(40, 40, 0, 0), (10, 10, 0, 0)], by: ==))
    }

    @Test("refusals name the group and each live member with its client id and host")
    func refusals() {
        let member = GroupMemberDescription(memberID: "m-1", clientID: "userstream", clientHost: "/127.0.0.1", assignment: [])
        #expect(GroupOffsetResetError.groupHasMembers(group: "g", members: [member]).description
            == "consumer group 'g' has 1 live member: m-1 (client userstream, host /127.0.0.1)")
        let anonymous = GroupMemberDescription(memberID: "m-2", clientID: "", clientHost: "", assignment: [])
        #expect(GroupOffsetResetError.groupHasMembers(group: "g", members: [member, anonymous]).description
            == "consumer group 'g' has 2 live members: m-1 (client userstream, host /127.0.0.1), m-2")
        #expect(GroupOffsetResetError.groupNotFound("g").description.contains("'g' does not exist"))
    }
}
