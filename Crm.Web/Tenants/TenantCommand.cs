using Crm.Web.Hosting;

namespace Crm.Web.Tenants;

/// <summary>
/// <c>tenant export --tenant ID --output FILE [--with-password-hashes]</c> and <c>tenant import --input FILE</c>:
/// run against a deployment on PostgreSQL (ConnectionStrings__crm), as an Orleans client of its running silos.
/// </summary>
public static class TenantCommand
{
    public const string Usage = """
        Usage:
          dotnet run --project Crm.Web -- tenant export --tenant <id> --output <file> [--with-password-hashes]
          dotnet run --project Crm.Web -- tenant import --input <file>
        Both run against a deployment on PostgreSQL (set ConnectionStrings__crm) whose silos are running.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => CommandLine.Option(args, name);
        var command = args.ElementAtOrDefault(1);
        if (command is not ("export" or "import") || (command == "export" && (Option("--tenant") is null || Option("--output") is null))
            || (command == "import" && Option("--input") is null))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var builder = WebApplication.CreateBuilder([]);
        if (builder.Configuration.GetConnectionString("crm") is null)
        {
            Console.Error.WriteLine("Set ConnectionStrings__crm: the embedded mode keeps its tenants in the memory of its own process.");
            return 2;
        }

        // A client of the running cluster, which serves nobody and takes no import over.
        builder.Configuration["Crm:Imports:MaxRunningPerNode"] = "0";
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddCrm(["--cluster"]);
        await using var app = builder.Build();
        try
        {
            await app.StartAsync();
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"No silo of the deployment answers ({ex.GetBaseException().Message}): start it first, then run this again.");
            return 1;
        }

        var archive = app.Services.GetRequiredService<TenantArchive>();
        try
        {
            if (command == "export")
            {
                await using var output = File.Create(CommandLine.FilePath(Option("--output")!));
                var (customers, interactions) = await archive.ExportAsync(Option("--tenant")!, output, args.Contains("--with-password-hashes"), CancellationToken.None);
                Console.WriteLine($"Exported tenant {Option("--tenant")}: {customers} customers, {interactions} interactions, to {Option("--output")}.");
            }
            else
            {
                await using var input = File.OpenRead(CommandLine.FilePath(Option("--input")!));
                var result = await archive.ImportAsync(input, CancellationToken.None);
                Console.WriteLine($"Imported tenant {result.TenantId}: {result.Users} users, {result.Templates} import templates, {result.Customers} customers, {result.Interactions} interactions.");
                foreach (var (email, password) in result.NewPasswords)
                {
                    Console.WriteLine($"  {email}: one-time password {password} (the archive held no password hashes)");
                }
            }

            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
