using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>
/// A CSV of telco-shaped customers (the columns of telco-churn.csv, with a name and an email) imported end to end
/// into a Crm.Web process on PostgreSQL: from the first byte of the upload until every row is applied and in the
/// customer list. Run at two sizes, a tenth and the whole, so the node's peak memory shows whether it grows with the
/// file. Baseline, same run: a raw COPY of the same file into a table of the same columns.
/// </summary>
public static class ImportThroughput
{
    public const int TargetRowsPerSecond = 10_000;

    public sealed record Run(int Rows, double Seconds, double RowsPerSecond, double PeakMemoryMiB, long FileBytes);

    public sealed record Result(Run Small, Run Large, double CopyRowsPerSecond);

    private static readonly string[] Contracts = ["Month-to-month", "One year", "Two year"];
    private static readonly string[] Payments = ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"];

    public static async Task<Result> RunAsync(string connectionString, int rows)
    {
        var small = await ImportAsync(await BenchmarkDatabase.CreateAsync(), Math.Max(1000, rows / 10));
        var large = await ImportAsync(connectionString, rows);
        return new Result(small, large, await CopyAsync(connectionString, rows));
    }

    private static async Task<Run> ImportAsync(string connectionString, int rows)
    {
        var file = Path.Combine(Path.GetTempPath(), $"crm-import-bench-{rows}.csv");
        Write(file, rows);
        await using var node = await WebNode.StartAsync(connectionString);
        using var http = node.Client(node.AdminToken);
        http.Timeout = TimeSpan.FromHours(1);
        await using var database = NpgsqlDataSource.Create(connectionString);

        var started = Stopwatch.GetTimestamp();
        using var form = new MultipartFormDataContent();
        await using var upload = File.OpenRead(file);
        var content = new StreamContent(upload);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(content, "file", "telco.csv");
        form.Add(new StringContent(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["customerID"] = "externalId", ["name"] = "displayName", ["email"] = "emails", ["gender"] = "attributes.gender",
            ["SeniorCitizen"] = "attributes.seniorCitizen", ["tenure"] = "attributes.tenure", ["Contract"] = "attributes.contract",
            ["PaymentMethod"] = "attributes.paymentMethod", ["MonthlyCharges"] = "attributes.monthlyCharges",
        })), "mapping");
        var response = await http.PostAsync("/api/imports", form);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        double peak = 0;
        while (true)
        {
            peak = Math.Max(peak, PeakMemoryMiB(node.ProcessId));
            var job = await http.GetFromJsonAsync<JsonElement>($"/api/imports/{id}");
            var status = job.GetProperty("status").GetString();
            if (status is "failed" or "cancelled")
            {
                throw new InvalidOperationException($"The import {status}: {job}");
            }

            if (status == "completed" && await CountAsync(database) >= rows)
            {
                break;
            }

            await Task.Delay(200);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Run(rows, seconds, rows / seconds, Math.Max(peak, PeakMemoryMiB(node.ProcessId)), new FileInfo(file).Length);
    }

    /// <summary>Customers in the benchmark tenant's list: what search finds.</summary>
    private static async Task<long> CountAsync(NpgsqlDataSource database)
    {
        await using var count = database.CreateCommand("SELECT count(*) FROM crm_customers WHERE tenant_id = 'bench'");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>The most memory the process has held resident (VmHWM), in MiB.</summary>
    private static double PeakMemoryMiB(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    private static void Write(string path, int rows)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.Write("customerID,name,email,gender,SeniorCitizen,tenure,Contract,PaymentMethod,MonthlyCharges\n");
        for (var i = 0; i < rows; i++)
        {
            writer.Write($"{i:D7}-TELC,Customer {i},customer{i}@telco.example,{(i % 2 == 0 ? "Female" : "Male")},{i % 7 / 6},{i % 72},{Contracts[i % 3]},{Payments[i % 4]},{18.25 + (i % 10000) / 100.0:0.00}\n");
        }
    }

    private static async Task<double> CopyAsync(string connectionString, int rows)
    {
        var file = Path.Combine(Path.GetTempPath(), $"crm-import-bench-{rows}.csv");
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var connection = await database.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE telco_copy (customer_id text PRIMARY KEY, name text, email text, gender text, senior_citizen int, tenure int,
                contract text, payment_method text, monthly_charges numeric)
            """, connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var started = Stopwatch.GetTimestamp();
        await using (var copy = await connection.BeginTextImportAsync("COPY telco_copy FROM STDIN (FORMAT csv, HEADER true)"))
        {
            using var reader = File.OpenText(file);
            var buffer = new char[65536];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                await copy.WriteAsync(buffer, 0, read);
            }
        }

        return rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
