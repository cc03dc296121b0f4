import CQL
import UserContract

/// Maps a `User` to the users table and back. Values go out as text and are converted to the
/// column types the server reported when the INSERT was prepared (uuid from the id text,
/// timestamp or date from the ISO-8601 strings), so any such table shape works.
enum CassandraUserRow {
    /// The twelve contract columns, `id` first.
    static let columns = User.fieldNames

    /// The upsert (a Cassandra INSERT replaces the row with the same primary key).
    static func insert(into table: String) -> String {
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
    }

    /// Reads `columns` (every contract column by default).
    static func select(from table: String, limit: Int?, columns: [String] = columns) -> String {
        "SELECT \(columns.joined(separator: ", ")) FROM \(table)" + (limit.map { " LIMIT \($0)" } ?? "")
    }

    /// The bind values of `insert`, as text in `columns` order.
    static func values(of user: User) -> [CQLValue] {
        User.CodingKeys.allCases.map { .text(user[$0]) }
    }

    /// A user from a row of `select`: uuids in lowercase, timestamps as `YYYY-MM-DDTHH:MM:SS.sssZ`, null as "".
    static func user(from row: CQLRow) -> User {
        var user = User(id: "", firstName: "", lastName: "", gender: "", address: "", postCode: "", email: "",
                        username: "", dob: "", registeredDate: "", phone: "", picture: "")
        for field in User.CodingKeys.allCases {
            guard let value = row[field.rawValue], !value.isNull else { continue }
            user[field] = value.description
        }
        return user
    }
}
