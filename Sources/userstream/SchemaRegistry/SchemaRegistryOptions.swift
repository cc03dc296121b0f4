import ArgumentParser

/// Where the deployed stack's Confluent-compatible schema registry is, for `setup` and `status`.
struct SchemaRegistryOptions: ParsableArguments {
    @Option(name: .customLong("schema-registry"),
            help: "URL of a Confluent-compatible schema registry holding the users contract as subject TOPIC-value (env USERSTREAM_SCHEMA_REGISTRY).")
    private var urlOption: String?
    var url: String? { urlOption ?? Environment.string("USERSTREAM_SCHEMA_REGISTRY") }
}
