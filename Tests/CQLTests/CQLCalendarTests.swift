import CivilCalendar
import Testing
@testable import CQL

/// CQL's date and timestamp text, built on the one calendar rule.
@Suite("CQL calendar text")
struct CQLCalendarTests {
    @Test("CQL date and timestamp text refuse days their month does not have")
    func cqlTextUsesTheRule() {
        #expect(CQLCalendar.parseDate("2024-02-29") == CivilDate.days(year: 2024, month: 2, day: 29))
        #expect(CQLCalendar.parseDate("2024-02-31") == nil)
        #expect(CQLCalendar.parseDate("2023-02-29") == nil)
        #expect(CQLCalendar.parseDate("2024-06-31") == nil)
        #expect(CQLCalendar.parseTimestamp("1990-02-31T12:00:00.000Z") == nil)
        #expect(throws: CQLError.self) { try CQLValue.text("1990-02-31T12:00:00.000Z").bound(to: .timestamp) }
        #expect(throws: CQLError.self) { try CQLValue.text("1990-02-31").bound(to: .date) }
    }
}
