/// One user as it travels on the `users_created` topic: the seed's twelve fields, all strings.
/// Encode message values with `jsonBytes()`, which fixes the key order; Foundation's JSONEncoder
/// on Linux writes the same keys in an unspecified order.
public struct User: Codable, Sendable, Equatable, Hashable {
    /// Stable identifier (lowercase canonical UUID text).
    public var id: String
    public var firstName: String
    public var lastName: String
    public var gender: String
    /// `"{number} {street}, {city}, {state}, {country}"`.
    public var address: String
    /// Always text, even when the source API sent a number.
    public var postCode: String
    public var email: String
    public var username: String
    /// ISO-8601 date of birth.
    public var dob: String
    /// ISO-8601 registration date.
    public var registeredDate: String
    public var phone: String
    /// URL of the medium-size picture.
    public var picture: String

    /// Creates a user from its twelve contract fields.
    public init(
        id: String, firstName: String, lastName: String, gender: String, address: String,
        postCode: String, email: String, username: String, dob: String, registeredDate: String,
        phone: String, picture: String
    ) {
        self.id = id
        self.firstName = firstName
        self.lastName = lastName
        self.gender = gender
        self.address = address
        self.postCode = postCode
        self.email = email
        self.username = username
        self.dob = dob
        self.registeredDate = registeredDate
        self.phone = phone
        self.picture = picture
    }

    /// The contract's JSON keys, in the order they are encoded.
    public enum CodingKeys: String, CodingKey, CaseIterable, Sendable {
        case id
        case firstName = "first_name"
        case lastName = "last_name"
        case gender
        case address
        case postCode = "post_code"
        case email
        case username
        case dob
        case registeredDate = "registered_date"
        case phone
        case picture
    }

    /// The contract's field names in order, `id` first: the sinks' column names.
    public static let fieldNames = CodingKeys.allCases.map(\.rawValue)

    /// The field's value by contract key.
    public subscript(field: CodingKeys) -> String {
        get {
            switch field {
            case .id: id
            case .firstName: firstName
            case .lastName: lastName
            case .gender: gender
            case .address: address
            case .postCode: postCode
            case .email: email
            case .username: username
            case .dob: dob
            case .registeredDate: registeredDate
            case .phone: phone
            case .picture: picture
            }
        }
        set {
            switch field {
            case .id: id = newValue
            case .firstName: firstName = newValue
            case .lastName: lastName = newValue
            case .gender: gender = newValue
            case .address: address = newValue
            case .postCode: postCode = newValue
            case .email: email = newValue
            case .username: username = newValue
            case .dob: dob = newValue
            case .registeredDate: registeredDate = newValue
            case .phone: phone = newValue
            case .picture: picture = newValue
            }
        }
    }
}
