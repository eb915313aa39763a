using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using Coupons.Core;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Coupons.Server.OpenApi;

/// <summary>The schema a JsonElement property is documented as: the form a typed client should send (the server also accepts others, said in the description).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class DocumentedAsAttribute(Type type, string? description = null) : Attribute
{
    public Type Type { get; } = type;
    public string? Description { get; } = description;
}

/// <summary>
/// Corrections to the schemas the framework derives from the C# types, so that they say what goes over the wire:
/// numbers are numbers (the JSON options also read numeric strings, which made every number "integer or string");
/// timestamps are date-time strings, nullable when the C# type is; a property's default is the value the type
/// starts with (a series' maxCreate is -1, unlimited, not 0); properties only the service sets are readOnly.
/// </summary>
static class SchemaFixes
{
    public static Task ApplyAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var property = context.JsonPropertyInfo;
        var documented = property?.AttributeProvider?.GetCustomAttributes(typeof(DocumentedAsAttribute), true).FirstOrDefault() as DocumentedAsAttribute
            ?? (context.ParameterDescription?.ParameterDescriptor as Microsoft.AspNetCore.Mvc.Infrastructure.IParameterInfoParameterDescriptor)
                ?.ParameterInfo.GetCustomAttribute<DocumentedAsAttribute>();
        if (documented is not null)
        {
            Replace(schema, Describe(documented.Type));
            if (documented.Description is not null) schema.Description = documented.Description;
            return Task.CompletedTask;
        }

        // Numbers: JsonNumberHandling.AllowReadingFromString is leniency on input, not the shape of the API.
        if (schema.Type is { } t && (t.HasFlag(JsonSchemaType.Integer) || t.HasFlag(JsonSchemaType.Number)) && t.HasFlag(JsonSchemaType.String))
        {
            schema.Type = t & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(DateTimeOffset))
        {
            schema.Type = JsonSchemaType.String | (type != underlying ? JsonSchemaType.Null : 0);
            schema.Format = "date-time";
        }
        if (property is null && context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object && schema.Required is { } required)
        {
            // A record's constructor parameters all come out required; one that may be null is optional, unless the
            // service refuses a request without it ([Required]).
            foreach (var p in context.JsonTypeInfo.Properties)
                if ((p.IsSetNullable || Nullable.GetUnderlyingType(p.PropertyType) is not null) &&
                    !AttributesOf(p).OfType<System.ComponentModel.DataAnnotations.RequiredAttribute>().Any())
                    required.Remove(p.Name);
        }
        if (schema.Type is { } array && array.HasFlag(JsonSchemaType.Array) && schema.Items is null)
            schema.Items = new OpenApiSchema();
        // Values the service accepts, from [AllowedValues] on a property or on a handler's parameter.
        var allowed = property is not null
            ? AttributesOf(property).OfType<AllowedValuesAttribute>().FirstOrDefault()
            : (context.ParameterDescription?.ParameterDescriptor as Microsoft.AspNetCore.Mvc.Infrastructure.IParameterInfoParameterDescriptor)
                ?.ParameterInfo.GetCustomAttribute<AllowedValuesAttribute>();
        if (allowed is not null)
            schema.Enum = [.. allowed.Values.Select(v => JsonSerializer.SerializeToNode(v, CouponJson.Options)!)];
        if (property is not null)
        {
            var declaring = property.DeclaringType;
            if (AttributesOf(property).OfType<ReadOnlyAttribute>().FirstOrDefault() is { IsReadOnly: true }) schema.ReadOnly = true;
            if (underlying != typeof(DateTimeOffset) && DefaultOf(declaring, property.Name) is { } value) schema.Default = value;
        }
        return Task.CompletedTask;

        static IEnumerable<object> AttributesOf(System.Text.Json.Serialization.Metadata.JsonPropertyInfo p) =>
            p.AttributeProvider?.GetCustomAttributes(true) ?? [];
    }

    /// <summary>The value a property starts with in a new instance, when the type has a parameterless constructor and it is not the type's zero.</summary>
    static System.Text.Json.Nodes.JsonNode? DefaultOf(Type declaring, string jsonName)
    {
        if (declaring.GetConstructor(Type.EmptyTypes) is null) return null;
        var instance = Defaults.GetOrAdd(declaring, t => Activator.CreateInstance(t)!);
        var node = JsonSerializer.SerializeToNode(instance, declaring, CouponJson.Options) as System.Text.Json.Nodes.JsonObject;
        if (node?[jsonName] is not { } value) return null;
        return value.GetValueKind() switch
        {
            JsonValueKind.Number when value.GetValue<decimal>() == 0 => null,
            JsonValueKind.False or JsonValueKind.Null => null,
            JsonValueKind.String when value.GetValue<string>() == "" => null,
            JsonValueKind.Array or JsonValueKind.Object => null,
            _ => value.DeepClone(),
        };
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, object> Defaults = new();

    public static OpenApiSchema ScalarSchema(Type type) => Describe(type);

    static OpenApiSchema Describe(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var nullable = underlying != type ? JsonSchemaType.Null : 0;
        if (underlying == typeof(long)) return new OpenApiSchema { Type = JsonSchemaType.Integer | nullable, Format = "int64" };
        if (underlying == typeof(int)) return new OpenApiSchema { Type = JsonSchemaType.Integer | nullable, Format = "int32" };
        if (underlying == typeof(decimal)) return new OpenApiSchema { Type = JsonSchemaType.Number | nullable, Format = "double" };
        if (underlying == typeof(bool)) return new OpenApiSchema { Type = JsonSchemaType.Boolean | nullable };
        if (underlying == typeof(long[])) return new OpenApiSchema { Type = JsonSchemaType.Array, Items = Describe(typeof(long)) };
        if (underlying == typeof(Dictionary<string, string>))
            return new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null } };
        return new OpenApiSchema { Type = JsonSchemaType.String };
    }

    static void Replace(OpenApiSchema schema, OpenApiSchema with)
    {
        schema.OneOf = null;
        schema.AnyOf = null;
        schema.Metadata?.Remove("x-schema-id");
        schema.Type = with.Type;
        schema.Format = with.Format;
        schema.Items = with.Items;
        schema.AdditionalProperties = with.AdditionalProperties;
        schema.Properties = null;
    }
}
