using System.Globalization;

namespace Coupons.Server.Formats.V11;

/// <summary>
/// One element of a v1.1 document, the single model behind both wire formats: a name and either a
/// scalar string or ordered children. A repeated child name is a list (JSON array, repeated XML element).
/// </summary>
public sealed class V11Node
{
    readonly List<V11Node>? children;

    V11Node(string name, string? scalar, List<V11Node>? children)
    {
        Name = name;
        Scalar = scalar;
        this.children = children;
    }

    public string Name { get; }

    /// <summary>The value of a scalar element; null for an element with children.</summary>
    public string? Scalar { get; }

    public bool IsScalar => children is null;

    public IReadOnlyList<V11Node> Items => (IReadOnlyList<V11Node>?)children ?? [];

    public static V11Node Obj(string name, params IEnumerable<V11Node> children) => new(name, null, [.. children]);

    /// <summary>A scalar element; null is written as the empty string, as v1.1 does for absent values.</summary>
    public static V11Node Leaf(string name, string? value) => new(name, value ?? "", null);

    public V11Node Add(V11Node child)
    {
        ChildList().Add(child);
        return this;
    }

    public V11Node Add(IEnumerable<V11Node> items)
    {
        ChildList().AddRange(items);
        return this;
    }

    public V11Node Add(string name, string? value) => Add(Leaf(name, value));
    public V11Node Add(string name, int? value) => Add(Leaf(name, value?.ToString(CultureInfo.InvariantCulture)));
    public V11Node Add(string name, long? value) => Add(Leaf(name, value?.ToString(CultureInfo.InvariantCulture)));
    public V11Node Add(string name, decimal? value) => Add(Leaf(name, value?.ToString(CultureInfo.InvariantCulture)));
    public V11Node Add(string name, bool? value) => Add(Leaf(name, value switch { true => "true", false => "false", null => null }));

    /// <summary>Written as the spec writes times ("2016-08-01 15:31:44"); the caller converts to the zone it means.</summary>
    public V11Node Add(string name, DateTimeOffset? value) =>
        Add(Leaf(name, value?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)));

    public V11Node Add(string name, DateOnly? value) =>
        Add(Leaf(name, value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

    /// <summary>The first child of that name, or null.</summary>
    public V11Node? Child(string name)
    {
        foreach (var c in Items)
            if (c.Name == name)
                return c;
        return null;
    }

    /// <summary>Every child of that name, in order: one element or a list read the same way.</summary>
    public IEnumerable<V11Node> Children(string name) => Items.Where(c => c.Name == name);

    /// <summary>The trimmed value of the first scalar child of that name; null if missing or not a scalar.</summary>
    public string? Value(string name) => Child(name)?.Scalar?.Trim();

    /// <summary>As <see cref="Value"/>, but an empty value counts as missing (XML's &lt;email&gt;&lt;/email&gt;).</summary>
    public string? NonEmpty(string name) => Value(name) is { Length: > 0 } v ? v : null;

    /// <summary>Walks a path of child names: <c>root.At("coupon", "customer")</c>.</summary>
    public V11Node? At(params ReadOnlySpan<string> path)
    {
        var node = this;
        foreach (var name in path)
        {
            node = node.Child(name);
            if (node is null)
                return null;
        }
        return node;
    }

    public override string ToString() => IsScalar ? $"{Name}={Scalar}" : $"{Name}{{{string.Join(", ", Items)}}}";

    List<V11Node> ChildList() =>
        children ?? throw new InvalidOperationException($"'{Name}' is a scalar element; it cannot have children.");
}
