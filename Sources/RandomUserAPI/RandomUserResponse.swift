/// The randomuser.me response body; every field is optional because the real API varies.
public struct RandomUserResponse: Decodable, Sendable {
    /// The results; an entry is `nil` when it could not be decoded at all (counted as invalid).
    public var results: [RandomUserResult?]
    public var info: Info?

    /// The `info` block: seed and paging of this response.
    public struct Info: Decodable, Sendable, Equatable {
        public var seed: String?
        public var results: Int?
        public var page: Int?
        public var version: String?
    }

    private enum CodingKeys: String, CodingKey { case results, info }

    /// Creates a response from parsed parts.
    public init(results: [RandomUserResult?], info: Info?) {
        self.results = results
        self.info = info
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let lenient = try container.decode([Lenient<RandomUserResult>].self, forKey: .results)
        results = lenient.map(\.value)
        info = try? container.decodeIfPresent(Info.self, forKey: .info)
    }
}

/// Decodes a value or yields `nil` instead of failing the enclosing array.
struct Lenient<Value: Decodable>: Decodable {
    var value: Value?
    init(from decoder: any Decoder) throws {
        value = try? Value(from: decoder)
    }
}

/// A JSON scalar the API sends sometimes as a number and sometimes as a string (postcode, street number).
public enum TextOrNumber: Decodable, Sendable, Equatable {
    case text(String)
    case integer(Int)
    case decimal(Double)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int.self) {
            self = .integer(integer)
        } else if let decimal = try? container.decode(Double.self) {
            self = .decimal(decimal)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    /// The value as contract text (integers without a decimal point).
    public var text: String {
        switch self {
        case .text(let text): text
        case .integer(let integer): String(integer)
        case .decimal(let decimal):
            decimal.rounded() == decimal && abs(decimal) < 1e15 ? String(Int(decimal)) : String(decimal)
        }
    }
}

/// One entry of `results`.
public struct RandomUserResult: Decodable, Sendable {
    public var gender: String?
    public var name: Name?
    public var location: Location?
    public var email: String?
    public var login: Login?
    public var dob: DatedAge?
    public var registered: DatedAge?
    public var phone: String?
    public var cell: String?
    public var id: Identity?
    public var picture: Picture?
    public var nat: String?

    public struct Name: Decodable, Sendable {
        public var title: String?
        public var first: String?
        public var last: String?
    }

    public struct Location: Decodable, Sendable {
        public var street: Street?
        public var city: String?
        public var state: String?
        public var country: String?
        public var postcode: TextOrNumber?
        public var coordinates: Coordinates?
        public var timezone: Timezone?

        private enum CodingKeys: String, CodingKey {
            case street, city, state, country, postcode, coordinates, timezone
        }

        /// An empty location.
        public init() {}

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            street = try? container.decodeIfPresent(Street.self, forKey: .street)
            city = try? container.decodeIfPresent(String.self, forKey: .city)
            state = try? container.decodeIfPresent(String.self, forKey: .state)
            country = try? container.decodeIfPresent(String.self, forKey: .country)
            postcode = try? container.decodeIfPresent(TextOrNumber.self, forKey: .postcode)
            coordinates = try? container.decodeIfPresent(Coordinates.self, forKey: .coordinates)
            timezone = try? container.decodeIfPresent(Timezone.self, forKey: .timezone)
        }
    }

    public struct Street: Decodable, Sendable {
        public var number: TextOrNumber?
        public var name: String?
    }

    public struct Coordinates: Decodable, Sendable {
        public var latitude: TextOrNumber?
        public var longitude: TextOrNumber?
    }

    public struct Timezone: Decodable, Sendable {
        public var offset: String?
        public var description: String?
    }

    public struct Login: Decodable, Sendable {
        public var uuid: String?
        public var username: String?
        public var password: String?
        public var salt: String?
        public var md5: String?
        public var sha1: String?
        public var sha256: String?
    }

    public struct DatedAge: Decodable, Sendable {
        public var date: String?
        public var age: Int?
    }

    /// National identifier; the API sends `value: null` for some nationalities.
    public struct Identity: Decodable, Sendable {
        public var name: String?
        public var value: String?
    }

    public struct Picture: Decodable, Sendable {
        public var large: String?
        public var medium: String?
        public var thumbnail: String?
    }

    private enum CodingKeys: String, CodingKey {
        case gender, name, location, email, login, dob, registered, phone, cell, id, picture, nat
    }

    /// An empty result.
    public init() {}

    // Each block decodes on its own so that one odd block (say `id`) does not lose the whole user.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        gender = try? container.decodeIfPresent(String.self, forKey: .gender)
        name = try? container.decodeIfPresent(Name.self, forKey: .name)
        location = try? container.decodeIfPresent(Location.self, forKey: .location)
        email = try? container.decodeIfPresent(String.self, forKey: .email)
        login = try? container.decodeIfPresent(Login.self, forKey: .login)
        dob = try? container.decodeIfPresent(DatedAge.self, forKey: .dob)
        registered = try? container.decodeIfPresent(DatedAge.self, forKey: .registered)
        phone = try? container.decodeIfPresent(String.self, forKey: .phone)
        cell = try? container.decodeIfPresent(String.self, forKey: .cell)
        id = try? container.decodeIfPresent(Identity.self, forKey: .id)
        picture = try? container.decodeIfPresent(Picture.self, forKey: .picture)
        nat = try? container.decodeIfPresent(String.self, forKey: .nat)
    }
}
