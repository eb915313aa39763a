using Coupons.Server.Auth;
using Coupons.Storage;

namespace Coupons.Server;

/// <summary>`org create --name N --till T --password P`: a new organisation with a store and its first admin till.</summary>
public static class OrgCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--")) break;
            options[args[i][2..]] = args[i + 1];
        }
        if (!options.TryGetValue("name", out var name) || !options.TryGetValue("till", out var till) || !options.TryGetValue("password", out var password))
        {
            Console.Error.WriteLine("usage: org create --name NAME --till TILL_CODE --password PASSWORD [--store STORE_CODE]");
            return 2;
        }
        var config = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().Build();
        var store = StoreFactory.Create(config["Coupons:Database:Provider"], config["Coupons:Database:ConnectionString"], TimeProvider.System);
        await store.MigrateAsync();
        var storeCode = options.GetValueOrDefault("store", "main");
        var result = await store.CreateOrganisationAsync(name, storeCode, $"{name} {storeCode}", till, PasswordHasher.Hash(password));
        if (!result.Ok)
        {
            Console.Error.WriteLine(result.Outcome.Message);
            return 1;
        }
        Console.WriteLine(result.Value);
        return 0;
    }
}
