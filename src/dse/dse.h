#pragma once
// Design-space exploration: a design space (named parameters over a base accelerator,
// constraints, an objective), search strategies behind one interface, a parallel
// evaluator sharing one cost cache, a SQLite result store, Pareto fronts and
// per-parameter sensitivity. No output formatting lives here (that is the CLI's and
// the report's job); everything is deterministic for a given seed and inputs.
// One header per concept; this one includes them all (the studies: dse/study.h).
#include "dse/evaluator.h"  // Evaluation, ranking, ThreadPool, Evaluator
#include "dse/search.h"     // ParetoFront, Budget, Search, Strategy, explore()
#include "dse/space.h"      // Metrics, Expression, DesignSpace, build_space()
#include "dse/store.h"      // ResultStore, query_store()
