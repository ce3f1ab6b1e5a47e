using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Fraud.Api.OpenApi;

/// <summary>
/// The answers every operation can give besides its own: 429 (rate limits apply to all), and 401 and
/// 403 where a key and a role are required, each as problem details.
/// </summary>
internal sealed class CommonResponses : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        Add(operation, "429", "Too many requests for this key or address; retry after the Retry-After delay.");
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
        {
            Add(operation, "401", "No API key, or one that is not configured (only when the API has keys).");
            Add(operation, "403", "The key's roles do not allow this operation.");
        }

        return Task.CompletedTask;
    }

    private static void Add(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails") },
            },
        };
    }
}
