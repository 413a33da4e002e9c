"""The outputs: key numbers, wording, figures, report, explorer, generated docs."""
