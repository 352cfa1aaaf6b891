namespace Crm.Ingestion;

/// <summary>What is wrong with one field of what an integration sent, named as the sender wrote it ("traits.email", "timestamp").</summary>
public sealed record FieldProblem(string Field, string Message)
{
    public FieldProblem Under(string parent) => this with { Field = Field.Length == 0 ? parent : $"{parent}.{Field}" };
}
