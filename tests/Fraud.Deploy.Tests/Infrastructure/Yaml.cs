using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fraud.Deploy.Tests.Infrastructure;

/// <summary>One YAML document: its plain object tree and its own text (for typed deserializers).</summary>
public sealed record YamlDoc(string Origin, int Index, object? Root, string Text)
{
    public string Where => $"{Origin} (document {Index + 1})";

    public string? Kind => Root.Str("kind");

    public string? ApiVersion => Root.Str("apiVersion");

    public string? Name => Root.Str("metadata", "name");

    public string? Namespace => Root.Str("metadata", "namespace");

    public string Id => $"{Kind}/{Name}";
}

/// <summary>
/// YAML loading into plain trees: mappings become <see cref="Dictionary{TKey,TValue}"/>, sequences
/// <see cref="List{T}"/>, and scalars keep the type a Kubernetes API server would give them
/// (plain <c>true</c> is a bool, plain <c>8080</c> a number, quoted values strings). Duplicate keys
/// are an error, as they are for kubectl.
/// </summary>
public static partial class Yaml
{
    public static IReadOnlyList<YamlDoc> LoadFile(string path) => LoadText(File.ReadAllText(path), Repo.Relative(path));

    public static IReadOnlyList<YamlDoc> LoadText(string text, string origin)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{origin}: {e.Message} at {e.Start}", e);
        }

        var docs = new List<YamlDoc>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var node = stream.Documents[i].RootNode;
            if (node is YamlScalarNode { Value: null or "" })
            {
                continue; // an empty document (a trailing ---)
            }

            var writer = new StringWriter(CultureInfo.InvariantCulture);
            new YamlStream(stream.Documents[i]).Save(writer, assignAnchors: false);
            docs.Add(new YamlDoc(origin, i, Convert(node, origin), writer.ToString()));
        }

        return docs;
    }

    private static object? Convert(YamlNode node, string origin) => node switch
    {
        YamlMappingNode map => ConvertMap(map, origin),
        YamlSequenceNode seq => seq.Children.Select(c => Convert(c, origin)).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"{origin}: unsupported YAML node {node.NodeType} at {node.Start}"),
    };

    private static Dictionary<string, object?> ConvertMap(YamlMappingNode map, string origin)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (!result.TryAdd(name, Convert(value, origin)))
            {
                throw new InvalidDataException($"{origin}: duplicate key '{name}' at {key.Start}");
            }
        }

        return result;
    }

    private static object? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return value;
        }

        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE")
        {
            return true;
        }

        if (value is "false" or "False" or "FALSE")
        {
            return false;
        }

        if (IntPattern().IsMatch(value))
        {
            return long.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        if (FloatPattern().IsMatch(value))
        {
            return double.Parse(value, CultureInfo.InvariantCulture);
        }

        return value;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

/// <summary>Navigation over the plain trees.</summary>
public static class Tree
{
    /// <summary>The node at <paramref name="path"/> (map keys, or list indexes as numbers); null when absent.</summary>
    public static object? At(this object? node, params string[] path)
    {
        foreach (var part in path)
        {
            node = node switch
            {
                Dictionary<string, object?> map => map.GetValueOrDefault(part),
                List<object?> list when int.TryParse(part, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < list.Count => list[i],
                _ => null,
            };
        }

        return node;
    }

    /// <summary>The scalar at <paramref name="path"/> as a string (numbers and bools formatted).</summary>
    public static string? Str(this object? node, params string[] path) => node.At(path) switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    public static long? Long(this object? node, params string[] path) => node.At(path) switch
    {
        long l => l,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    public static Dictionary<string, object?> Map(this object? node, params string[] path) =>
        node.At(path) as Dictionary<string, object?> ?? [];

    public static List<object?> List(this object? node, params string[] path) =>
        node.At(path) as List<object?> ?? [];

    /// <summary>Every node in the tree with its path, depth first.</summary>
    public static IEnumerable<(string Path, object? Node)> Walk(this object? node, string path = "")
    {
        yield return (path, node);
        switch (node)
        {
            case Dictionary<string, object?> map:
                foreach (var (key, value) in map)
                {
                    foreach (var child in value.Walk(path + "." + key))
                    {
                        yield return child;
                    }
                }

                break;
            case List<object?> list:
                for (var i = 0; i < list.Count; i++)
                {
                    foreach (var child in list[i].Walk($"{path}[{i}]"))
                    {
                        yield return child;
                    }
                }

                break;
        }
    }
}
