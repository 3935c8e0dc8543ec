"""The SDK generator: OpenAPI document in, cloudtower/api, cloudtower/models and docs/api out."""
