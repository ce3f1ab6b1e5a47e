namespace Fraud.Deploy.Tests.Infrastructure;

/// <summary>
/// A small structural schema (the subset of OpenAPI v3 that CRDs use): object fields (unknown ones
/// are errors, since an API server silently prunes them), required fields, scalar types, enums,
/// lists and string-keyed maps.
/// </summary>
public abstract class Shape
{
    public abstract void Check(object? value, string path, List<string> errors);

    public List<string> Validate(object? value)
    {
        var errors = new List<string>();
        Check(value, "", errors);
        return errors;
    }

    protected static string TypeName(object? value) => value switch
    {
        null => "null",
        string => "string",
        long => "integer",
        double => "number",
        bool => "boolean",
        List<object?> => "list",
        Dictionary<string, object?> => "object",
        _ => value.GetType().Name,
    };
}

public sealed class StrShape(IReadOnlyCollection<string> allowed) : Shape
{
    public override void Check(object? value, string path, List<string> errors)
    {
        if (value is not string s)
        {
            errors.Add($"{path}: expected a string, found {TypeName(value)} '{value}' (quote it)");
            return;
        }

        if (allowed.Count > 0 && !allowed.Contains(s))
        {
            errors.Add($"{path}: '{s}' is not one of {string.Join(", ", allowed)}");
        }
    }
}

public sealed class IntShape : Shape
{
    public override void Check(object? value, string path, List<string> errors)
    {
        if (value is not long)
        {
            errors.Add($"{path}: expected an integer, found {TypeName(value)} '{value}'");
        }
    }
}

public sealed class BoolShape : Shape
{
    public override void Check(object? value, string path, List<string> errors)
    {
        if (value is not bool)
        {
            errors.Add($"{path}: expected a boolean, found {TypeName(value)} '{value}'");
        }
    }
}

/// <summary>A Kubernetes int-or-string (or any scalar, for Dapr's dynamic metadata values).</summary>
public sealed class ScalarShape : Shape
{
    public override void Check(object? value, string path, List<string> errors)
    {
        if (value is not (string or long or bool or double))
        {
            errors.Add($"{path}: expected a scalar, found {TypeName(value)}");
        }
    }
}

public sealed class AnyShape : Shape
{
    public override void Check(object? value, string path, List<string> errors)
    {
    }
}

public sealed class ListShape(Shape item) : Shape
{
    public override void Check(object? value, string path, List<string> errors)
    {
        if (value is not List<object?> list)
        {
            errors.Add($"{path}: expected a list, found {TypeName(value)}");
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            item.Check(list[i], $"{path}[{i}]", errors);
        }
    }
}

public sealed class MapShape(Shape value) : Shape
{
    public override void Check(object? node, string path, List<string> errors)
    {
        if (node is not Dictionary<string, object?> map)
        {
            errors.Add($"{path}: expected an object, found {TypeName(node)}");
            return;
        }

        foreach (var (key, child) in map)
        {
            value.Check(child, $"{path}.{key}", errors);
        }
    }
}

public sealed class ObjShape : Shape
{
    private readonly Dictionary<string, Shape> _fields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _required = new(StringComparer.Ordinal);

    /// <param name="fields">Field names; a trailing '!' marks a required field.</param>
    public ObjShape(IEnumerable<(string Name, Shape Shape)> fields)
    {
        foreach (var (name, shape) in fields)
        {
            var bare = name.TrimEnd('!');
            _fields[bare] = shape;
            if (name.EndsWith('!'))
            {
                _required.Add(bare);
            }
        }
    }

    public override void Check(object? value, string path, List<string> errors)
    {
        if (value is not Dictionary<string, object?> map)
        {
            errors.Add($"{path}: expected an object, found {TypeName(value)}");
            return;
        }

        foreach (var name in _required.Where(r => !map.ContainsKey(r)))
        {
            errors.Add($"{path}.{name}: required field is missing");
        }

        foreach (var (key, child) in map)
        {
            if (_fields.TryGetValue(key, out var shape))
            {
                shape.Check(child, $"{path}.{key}", errors);
            }
            else
            {
                errors.Add($"{path}.{key}: unknown field (known: {string.Join(", ", _fields.Keys.Order(StringComparer.Ordinal))})");
            }
        }
    }
}

/// <summary>Terse constructors for shapes.</summary>
public static class S
{
    public static readonly Shape Str = new StrShape([]);
    public static readonly Shape Int = new IntShape();
    public static readonly Shape Bool = new BoolShape();
    public static readonly Shape Scalar = new ScalarShape();
    public static readonly Shape Any = new AnyShape();

    public static Shape OneOf(params string[] allowed) => new StrShape(allowed);

    public static Shape Obj(params (string Name, Shape Shape)[] fields) => new ObjShape(fields);

    public static Shape List(Shape item) => new ListShape(item);

    public static Shape Map(Shape value) => new MapShape(value);

    public static readonly Shape StrList = List(Str);
    public static readonly Shape StrMap = Map(Str);
}
