import Testing
@testable import UserPipeline

@Suite struct MemoryBudgetTests {
    @Test func glibcTakesBothBudgets() {
        #expect(MemoryBudget.applyToThroughputTool())
        #expect(MemoryBudget.applyToLongRunningProcess())
    }
}
