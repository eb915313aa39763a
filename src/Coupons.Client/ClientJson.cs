using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Coupons.Client;

/// <summary>The client's JSON, generated at compile time (no reflection): camelCase, nulls left out of requests.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Store))]
[JsonSerializable(typeof(Till))]
[JsonSerializable(typeof(Organisation))]
[JsonSerializable(typeof(OrganisationSettings))]
[JsonSerializable(typeof(Customer))]
[JsonSerializable(typeof(Series))]
[JsonSerializable(typeof(SeriesSaved))]
[JsonSerializable(typeof(SeriesPage))]
[JsonSerializable(typeof(UploadResult))]
[JsonSerializable(typeof(IssueResult))]
[JsonSerializable(typeof(BulkRedeemResult))]
[JsonSerializable(typeof(ReverseResult))]
[JsonSerializable(typeof(AmendResult))]
[JsonSerializable(typeof(CreateCustomerBody))]
[JsonSerializable(typeof(CreatedCustomer))]
[JsonSerializable(typeof(CreateStoreBody))]
[JsonSerializable(typeof(CreateTillBody))]
[JsonSerializable(typeof(StoreList))]
[JsonSerializable(typeof(TillList))]
[JsonSerializable(typeof(IssueBody))]
[JsonSerializable(typeof(BulkRedeemBody))]
[JsonSerializable(typeof(ReverseBody))]
[JsonSerializable(typeof(AmendBody))]
[JsonSerializable(typeof(CustomerStatusBody))]
[JsonSerializable(typeof(CustomerCouponsAnswer))]
[JsonSerializable(typeof(RedeemabilityAnswer))]
[JsonSerializable(typeof(ErrorAnswer))]
[JsonSerializable(typeof(TokenBody))]
[JsonSerializable(typeof(TokenAnswer))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(JsonObject))]
sealed partial class ClientJson : JsonSerializerContext;
