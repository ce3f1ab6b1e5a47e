using System.Text.Json.Nodes;
using Fraud.Contracts;
using Fraud.Contracts.Api;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Fraud.Api.OpenApi;

/// <summary>
/// Makes the document's schemas say what the API reads and writes: enums are their wire names
/// (the serializer's converter writes strings, which the generator cannot see), numbers are numbers
/// only (the API refuses numbers in strings), and a review needs only its status.
/// </summary>
internal sealed class WireSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (WireNames.Of(type) is { } names)
        {
            schema.Type = JsonSchemaType.String;
            schema.Format = null;
            schema.Enum = [.. names.Select(n => (JsonNode)JsonValue.Create(n))];
        }

        if (schema.Type is { } types && (types & JsonSchemaType.String) != 0 && (types & (JsonSchemaType.Number | JsonSchemaType.Integer)) != 0)
        {
            schema.Type = types & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (type == typeof(ReviewRequest))
        {
            schema.Required = new HashSet<string>(StringComparer.Ordinal) { "status" };
        }

        return Task.CompletedTask;
    }
}
