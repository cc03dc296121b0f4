print("kafka-codegen")
