/** One result of checking an authorization, in the shape every report uses. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: 'error' | 'warning';
  /** Construct path of the object at fault. */
  readonly path: string;
  readonly message: string;
  /** Set when a suppression covers the finding: it is then reported as info, never dropped. */
  readonly suppressedBecause?: string;
}

export interface Suppression {
  /** Construct path; the suppression covers findings at this path and below it. */
  readonly path: string;
  readonly ruleId: string;
  readonly reason: string;
}

/** `[construct/path] RULE-ID: message`, the one line every finding is reported as. */
export function formatFinding(finding: Finding): string {
  const suppressed = finding.suppressedBecause === undefined ? '' : ` (suppressed: ${finding.suppressedBecause})`;
  return `[${finding.path}] ${finding.ruleId}: ${finding.message}${suppressed}`;
}

/** Marks the findings a suppression covers; suppressions of errors and warnings alike stay visible. */
export function applySuppressions(findings: readonly Finding[], suppressions: readonly Suppression[]): Finding[] {
  return findings.map(finding => {
    const match = suppressions.find(
      s => s.ruleId === finding.ruleId && (finding.path === s.path || finding.path.startsWith(`${s.path}/`)),
    );
    return match ? { ...finding, suppressedBecause: match.reason } : finding;
  });
}
