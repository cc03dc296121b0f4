import Foundation
import UserContract
import RandomUserAPI

/// A randomuser.me answer and the user it becomes, shared by the tests of the contract, the API client and the sinks.
public enum Fixtures {
    /// A result as randomuser.me sends it (postcode as a number).
    public static let randomUserJSON = """
    {"results":[{"gender":"female","name":{"title":"Miss","first":"Zoë","last":"Nichols"},
    "location":{"street":{"number":8929,"name":"Valwood Pkwy"},"city":"Billings","state":"Michigan",
    "country":"United States","postcode":63104,"coordinates":{"latitude":"-69.8246","longitude":"134.8719"},
    "timezone":{"offset":"+9:30","description":"Adelaide, Darwin"}},"email":"zoe.nichols@example.com",
    "login":{"uuid":"7A0EED16-9430-4D68-901F-C0D4C1C3BF00","username":"yellowpeacock117","password":"addison",
    "salt":"sld1yGtd","md5":"ab54ac4c0be9480ae8fa5e9e2a5196a3","sha1":"edcf2ce613cbdea349133c52dc2f3b83168dc51b",
    "sha256":"48df5229235ada28389b91e60a935e4f9b73eb4bdb855ef9258a1751f10bdc5d"},
    "dob":{"date":"1992-03-08T15:13:16.688Z","age":30},"registered":{"date":"2007-07-09T05:51:59.390Z","age":14},
    "phone":"(272) 790-0888","cell":"(489) 330-2385","id":{"name":"SSN","value":null},
    "picture":{"large":"https://randomuser.me/api/portraits/women/75.jpg",
    "medium":"https://randomuser.me/api/portraits/med/women/75.jpg",
    "thumbnail":"https://randomuser.me/api/portraits/thumb/women/75.jpg"},"nat":"US"}],
    "info":{"seed":"56d27f4a53bd5441","results":1,"page":1,"version":"1.4"}}
    """

    public static func response(_ json: String) throws -> RandomUserResponse {
        try JSONDecoder().decode(RandomUserResponse.self, from: Data(json.utf8))
    }

    public static let user = User(
        id: "7a0eed16-9430-4d68-901f-c0d4c1c3bf00", firstName: "Zoë", lastName: "Nichols", gender: "female",
        address: "8929 Valwood Pkwy, Billings, Michigan, United States", postCode: "63104",
        email: "zoe.nichols@example.com", username: "yellowpeacock117", dob: "1992-03-08T15:13:16.688Z",
        registeredDate: "2007-07-09T05:51:59.390Z", phone: "(272) 790-0888",
        picture: "https://randomuser.me/api/portraits/med/women/75.jpg"
    )

    /// The contract JSON of `user` with one field replaced by raw JSON (or removed when `nil`).
    public static func message(replacing field: String? = nil, with raw: String? = nil, extra: String? = nil) -> [UInt8] {
        var parts: [String] = []
        for key in User.CodingKeys.allCases {
            let value = "\"" + user[key] + "\""
            if key.rawValue == field {
                if let raw { parts.append("\"\(key.rawValue)\":\(raw)") }
            } else {
                parts.append("\"\(key.rawValue)\":\(value)")
            }
        }
        if let extra { parts.append(extra) }
        return Array(("{" + parts.joined(separator: ",") + "}").utf8)
    }
}
