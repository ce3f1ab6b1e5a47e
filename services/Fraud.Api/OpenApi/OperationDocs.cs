using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Fraud.Api.OpenApi;

/// <summary>What the generator cannot see of an endpoint that reads its request by hand: query parameters, headers, a body of two shapes.</summary>
internal static class OperationDocs
{
    /// <summary>Declares query parameters (all optional), each a string with its description.</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder endpoint, params (string Name, string Description)[] parameters) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var (name, description) in parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }

            return Task.CompletedTask;
        });

    /// <summary>An <c>If-Match</c> request header, required unless said otherwise.</summary>
    public static RouteHandlerBuilder WithIfMatch(
        this RouteHandlerBuilder endpoint,
        bool required = true,
        string description = "The ETag of the anomaly as you read it (GET /anomalies/{id}), quotes included.") =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Required = required,
                Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            return Task.CompletedTask;
        });

    /// <summary>The <c>ETag</c> header on the given responses.</summary>
    public static RouteHandlerBuilder WithETag(this RouteHandlerBuilder endpoint, params string[] statuses) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var status in statuses)
            {
                if (operation.Responses?.TryGetValue(status, out var response) == true && response is OpenApiResponse concrete)
                {
                    concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    concrete.Headers["ETag"] = new OpenApiHeader
                    {
                        Description = "The current entity tag: send it in If-Match to change what you read.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    };
                }
            }

            return Task.CompletedTask;
        });

    /// <summary>A JSON body that is either one item or an array of them (the array is what the generator declared).</summary>
    public static RouteHandlerBuilder WithOneOrMany(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true
                && media.Schema is OpenApiSchema { Items: { } item } array)
            {
                media.Schema = new OpenApiSchema { OneOf = [array, item] };
            }

            return Task.CompletedTask;
        });
}
