/// Source data for one nationality of the stand-in API; text is kept as UTF-8 bytes ready to copy.
struct Nationality: Sendable {
    /// A name as displayed and its ASCII folding for e-mail addresses.
    struct Name: Sendable {
        var display: [UInt8]
        var folded: [UInt8]
    }

    var code: [UInt8]
    var country: [UInt8]
    var femaleFirst: [Name]
    var maleFirst: [Name]
    var last: [Name]
    var streets: [[UInt8]]
    /// (city, state) pairs.
    var places: [([UInt8], [UInt8])]
    /// `#` is a digit, `@` an uppercase letter.
    var postcodePattern: [UInt8]
    /// Whether the postcode is sent as a JSON number (as randomuser.me does for some countries).
    var postcodeIsNumber: Bool
    var phonePattern: [UInt8]
    var idName: [UInt8]
    /// `nil` means the API sends `"value": null`.
    var idPattern: [UInt8]?

    static let all: [Nationality] = [
        make(code: "US", country: "United States",
             female: ["Jennie", "Zoë:zoe", "Madison", "Aaliyah"], male: ["Brandon", "Jesse", "Ryan", "José:jose"],
             last: ["Nichols", "Carter", "Hughes", "Diaz"], streets: ["Valwood Pkwy", "Mockingbird Ln", "Pecan Acres Ln"],
             places: [("Billings", "Michigan"), ("Toledo", "Ohio"), ("Fresno", "California")],
             postcode: "#####", postcodeIsNumber: true, phone: "(###) ###-####", idName: "SSN", id: "###-##-####"),
        make(code: "GB", country: "United Kingdom",
             female: ["Ellie", "Chloë:chloe", "Amelia"], male: ["Harry", "Oliver", "Seán:sean"],
             last: ["Walker", "Smith", "Ó Briain:obriain"], streets: ["Church Road", "Victoria Street", "Mill Lane"],
             places: [("London", "Greater London"), ("Leeds", "West Yorkshire"), ("Bath", "Somerset")],
             postcode: "@@#@ #@@", postcodeIsNumber: false, phone: "0##-####-####", idName: "NINO", id: "@@ ## ## ## @"),
        make(code: "NO", country: "Norway",
             female: ["Sigrid", "Ingrid", "Åse:ase"], male: ["Ådne:adne", "Håkon:hakon", "Øystein:oystein"],
             last: ["Bråthen:brathen", "Sæther:saether", "Olsen"], streets: ["Storgata", "Kirkeveien", "Søndre gate"],
             places: [("Bærum", "Akershus"), ("Tromsø", "Troms"), ("Bergen", "Vestland")],
             postcode: "####", postcodeIsNumber: true, phone: "########", idName: "FN", id: "###########"),
        make(code: "TR", country: "Turkey",
             female: ["Ayşe:ayse", "Çiğdem:cigdem", "Elif"], male: ["Çağlar:caglar", "Emre", "Oğuz:oguz"],
             last: ["Öztürk:ozturk", "Yılmaz:yilmaz", "Kaya"], streets: ["Atatürk Sk", "Bağdat Cd", "Kushimoto Sk"],
             places: [("İzmir", "İzmir"), ("Ankara", "Ankara"), ("Bursa", "Bursa")],
             postcode: "#####", postcodeIsNumber: true, phone: "(###)-###-####", idName: "", id: nil),
        make(code: "UA", country: "Ukraine",
             female: ["Мирослава:myroslava", "Оксана:oksana", "Ярина:yaryna"], male: ["Богдан:bohdan", "Тарас:taras"],
             last: ["Коваленко:kovalenko", "Шевченко:shevchenko", "Бойко:boiko"],
             streets: ["вулиця Шевченка", "Хрещатик", "вулиця Франка"],
             places: [("Київ", "Київська"), ("Львів", "Львівська"), ("Одеса", "Одеська")],
             postcode: "#####", postcodeIsNumber: false, phone: "(0##) ###-##-##", idName: "", id: nil),
        make(code: "CN", country: "China",
             female: ["秀英:xiuying", "丽:li", "静:jing"], male: ["伟:wei", "强:qiang", "磊:lei"],
             last: ["吴:wu", "王:wang", "李:li"], streets: ["人民路", "中山路", "解放路"],
             places: [("上海", "上海"), ("杭州", "浙江"), ("成都", "四川")],
             postcode: "######", postcodeIsNumber: false, phone: "1##-####-####", idName: "RIC", id: "##################"),
        make(code: "CA", country: "Canada",
             female: ["Chloé:chloe", "Léa:lea", "Maya"], male: ["Noah", "Félix:felix", "Liam"],
             last: ["Tremblay", "Gagnon", "Roy"], streets: ["Rue Principale", "King St", "Dufferin St"],
             places: [("Montréal", "Québec"), ("Toronto", "Ontario"), ("Halifax", "Nova Scotia")],
             postcode: "@#@ #@#", postcodeIsNumber: false, phone: "###-###-####", idName: "SIN", id: "### ### ###"),
        make(code: "DE", country: "Germany",
             female: ["Lena", "Anja", "Jülide:julide"], male: ["Jürgen:jurgen", "Lukas", "Björn:bjorn"],
             last: ["Müller:muller", "Schröder:schroder", "Weiß:weiss"], streets: ["Hauptstraße", "Gartenweg", "Schulstraße"],
             places: [("München", "Bayern"), ("Köln", "Nordrhein-Westfalen"), ("Leipzig", "Sachsen")],
             postcode: "#####", postcodeIsNumber: true, phone: "0###-#######", idName: "SVNR", id: "## ######@ ###"),
    ]

    /// Builds a nationality; names are written `display` or `display:folded` when not ASCII.
    private static func make(
        code: String, country: String, female: [String], male: [String], last: [String], streets: [String],
        places: [(String, String)], postcode: String, postcodeIsNumber: Bool, phone: String, idName: String, id: String?
    ) -> Nationality {
        func name(_ entry: String) -> Name {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            let folded = parts.count == 2 ? parts[1] : parts[0].lowercased().filter { $0 != " " && $0 != "'" }
            return Name(display: Array(parts[0].utf8), folded: Array(folded.utf8))
        }
        return Nationality(
            code: Array(code.utf8), country: Array(country.utf8),
            femaleFirst: female.map(name), maleFirst: male.map(name), last: last.map(name),
            streets: streets.map { Array($0.utf8) },
            places: places.map { (Array($0.0.utf8), Array($0.1.utf8)) },
            postcodePattern: Array(postcode.utf8), postcodeIsNumber: postcodeIsNumber,
            phonePattern: Array(phone.utf8), idName: Array(idName.utf8), idPattern: id.map { Array($0.utf8) }
        )
    }
}
