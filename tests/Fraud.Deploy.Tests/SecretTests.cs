using System.Text.RegularExpressions;
using Fraud.Deploy.Tests.Infrastructure;

namespace Fraud.Deploy.Tests;

/// <summary>No credentials in the repository; every secret the manifests reference is documented.</summary>
public sealed partial class SecretTests
{
    private static readonly IReadOnlyList<YamlDoc> Examples = Yaml.LoadFile(Repo.Path("k8s", "secrets", "secrets.example.yaml"));

    [Fact]
    public void Example_secrets_hold_placeholders_only()
    {
        foreach (var secret in Examples)
        {
            Assert.Equal("Secret", secret.Kind);
            Assert.Null(secret.Root.At("data")); // base64 would hide a real value from review
            foreach (var (key, value) in secret.Root.Map("stringData"))
            {
                var text = value as string ?? "";
                Assert.True(text.Contains("CHANGE_ME", StringComparison.Ordinal) || key == "username",
                    $"{secret.Name}/{key} holds a value; examples may only hold CHANGE_ME placeholders");
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_secret_the_manifests_reference_is_in_the_example(string overlay)
    {
        var documented = Examples.ToDictionary(s => s.Name!, s => s.Root.Map("stringData").Keys.ToHashSet());
        var docs = Rendered.Overlay(overlay);
        var missing = Manifests.SecretReferences(docs)
            .Where(r => !documented.TryGetValue(r.Secret, out var keys) || !keys.Contains(r.Key))
            .Select(r => $"{r.Where}: {r.Secret}/{r.Key}")
            .ToList();
        Assert.Empty(missing);

        Assert.Empty(docs.OfKind("Secret")); // an apply must never overwrite real credentials
    }

    [Fact]
    public void Component_credentials_are_secret_references()
    {
        var components = Manifests.LocalResources().OfKind("Component")
            .Concat(Rendered.Overlays.SelectMany(o => Rendered.Overlay(o).OfKind("Component")));
        foreach (var component in components)
        {
            foreach (var (name, item) in component.ComponentMetadata())
            {
                if (SecretLike().IsMatch(name) && name != "secretsFile")
                {
                    Assert.True(item.At("secretKeyRef") is not null, $"{component.Where} {component.Id}: {name} must come from a secretKeyRef");
                }
            }
        }
    }

    [Fact]
    public void No_file_carries_a_key_a_token_or_a_remote_password()
    {
        var findings = new List<string>();
        foreach (var file in Repo.DeploymentFiles().Append(Repo.Path("docs", "operations.md")))
        {
            var text = File.ReadAllText(file);
            if (text.Contains("-----BEGIN", StringComparison.Ordinal) && text.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                findings.Add($"{Repo.Relative(file)}: a private key");
            }

            foreach (Match m in PasswordInConnectionString().Matches(text))
            {
                var password = m.Groups["value"].Value;
                // Placeholders, shell/template variables, and the throwaway local container's password.
                if (password is not ("CHANGE_ME" or "fraud-local") && !password.StartsWith('$') && !password.StartsWith('<'))
                {
                    findings.Add($"{Repo.Relative(file)}: password literal '{m.Value}'");
                }
            }
        }

        Assert.Empty(findings);
    }

    [Fact]
    public void The_local_secrets_file_holds_only_the_empty_password_of_the_dapr_init_Redis()
    {
        using var json = System.Text.Json.JsonDocument.Parse(Repo.Read("components", "secrets", "local-secrets.json"));
        Assert.All(json.RootElement.EnumerateObject(), p => Assert.Equal("", p.Value.GetString()));
    }

    [GeneratedRegex("(?i)(password|secret|token|apikey|clientkey|connectionstring)")]
    private static partial Regex SecretLike();

    [GeneratedRegex(@"(?i)password\s*=\s*(?<value>[^;""\s]+)")]
    private static partial Regex PasswordInConnectionString();
}
