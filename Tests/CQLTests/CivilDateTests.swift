import CivilCalendar
import Testing
@testable import CQL

/// The one calendar rule: day counts, validity, and CQL's date and timestamp text built on it.
@Suite("Civil dates")
struct CivilDateTests {
    @Test("day counts and dates round-trip across eras, before 1970 and after")
    func roundTrip() {
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilDate.date(days: -1) == (1969, 12, 31))
        #expect(CivilDate.date(days: 11_016) == (2000, 2, 29))
        #expect(CivilDate.date(days: -719_528) == (0, 1, 1))
        for days in stride(from: Int64(-1_000_000), through: 1_000_000, by: 997) {
            let date = CivilDate.date(days: days)
            #expect(CivilDate.isValid(year: date.year, month: date.month, day: date.day), "\(date)")
            #expect(CivilDate.days(year: date.year, month: date.month, day: date.day) == days, "\(date)")
        }
    }

    @Test("a day exists only within its month's length, leap years by the Gregorian rule")
    func validity() {
        #expect(CivilDate.isValid(year: 2024, month: 2, day: 29))
        #expect(CivilDate.isValid(year: 2000, month: 2, day: 29))
        #expect(!CivilDate.isValid(year: 1900, month: 2, day: 29))
        #expect(!CivilDate.isValid(year: 2023, month: 2, day: 29))
        #expect(!CivilDate.isValid(year: 2024, month: 2, day: 31))
        #expect(!CivilDate.isValid(year: 2024, month: 4, day: 31))
        #expect(CivilDate.isValid(year: 2024, month: 12, day: 31))
        #expect(!CivilDate.isValid(year: 2024, month: 13, day: 1))
        #expect(!CivilDate.isValid(year: 2024, month: 1, day: 0))
    }

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
