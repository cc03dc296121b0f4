import CQL
import Testing
@testable import UserContract

/// A date the contract validator lets through is written to Cassandra as a CQL timestamp, so the
/// two must accept exactly the same days, or a valid user would fail at the sink.
@Suite struct DateRuleAgreementTests {
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    @Test("the validator and CQL timestamp binding accept the same days (Feb 31 in neither)")
    func sameDays() {
        for year in [1900, 2000, 2023, 2024] {
            for month in 1...12 {
                for day in 1...31 {
                    let text = "\(year)-\(two(month))-\(two(day))T00:00:00Z"
                    let bound = (try? CQLValue.text(text).bound(to: .timestamp)) != nil
                    #expect(FieldFormat.isDateTime(text) == bound, "\(text)")
                }
            }
        }
        #expect(!FieldFormat.isDateTime("2024-02-31T00:00:00Z"))
        #expect(FieldFormat.isDateTime("2024-02-29T00:00:00Z"))
    }
}
