import CivilCalendar
import Testing

/// The one calendar rule: day counts and validity.
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
}
