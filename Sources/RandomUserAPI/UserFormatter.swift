import UserContract

/// Turns a randomuser.me result into a contract `User`, by the seed's rules.
enum UserFormatter {
    /// Why a result could not be formatted (it is counted as invalid and skipped).
    struct MissingField: Error, Sendable, Equatable, CustomStringConvertible {
        /// Dotted path of the missing source field, e.g. `location.street.number`.
        var path: String
        var description: String { "randomuser result has no \(path)" }
    }

    /// Formats `result`; throws `MissingField` when a field the contract needs is absent.
    static func format(_ result: RandomUserResult) throws(MissingField) -> User {
        func need<T>(_ value: T?, _ path: String) throws(MissingField) -> T {
            guard let value else { throw MissingField(path: path) }
            return value
        }
        let location = try need(result.location, "location")
        let street = try need(location.street, "location.street")
        let number = try need(street.number, "location.street.number").text
        let streetName = try need(street.name, "location.street.name")
        let city = try need(location.city, "location.city")
        let state = try need(location.state, "location.state")
        let country = try need(location.country, "location.country")
        let email = try need(result.email, "email")
        let username = try need(result.login?.username, "login.username")
        let dob = try need(result.dob?.date, "dob.date")
        let registered = try need(result.registered?.date, "registered.date")
        return User(
            id: id(uuid: result.login?.uuid, email: email, username: username, dob: dob, registeredDate: registered),
            firstName: try need(result.name?.first, "name.first"),
            lastName: try need(result.name?.last, "name.last"),
            gender: try need(result.gender, "gender"),
            address: "\(number) \(streetName), \(city), \(state), \(country)",
            postCode: try need(location.postcode, "location.postcode").text,
            email: email,
            username: username,
            dob: dob,
            registeredDate: registered,
            phone: try need(result.phone, "phone"),
            picture: try need(result.picture?.medium, "picture.medium")
        )
    }

    /// The stable user id: `login.uuid` when it is a UUID, else a name-based UUID over fields that
    /// do not change when the same user is fetched again.
    static func id(uuid: String?, email: String, username: String, dob: String, registeredDate: String) -> String {
        if let uuid, let canonical = UUIDText.canonical(uuid) { return canonical }
        // U+001F (unit separator) cannot occur in these fields' ordinary values, so joins are unambiguous.
        let name = [email, username, dob, registeredDate].joined(separator: "\u{1F}")
        return UUIDText.nameBased(name: name)
    }
}
