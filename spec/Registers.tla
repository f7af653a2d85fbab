------------------------------ MODULE Registers ------------------------------
(***************************************************************************)
(* One register, changed by leaderless Paxos rounds: CASPaxos (Rystsov     *)
(* 2018) as the register round of machines/registerRound.ts runs it.      *)
(* The acceptors are Paxos.tla's, unchanged.  A proposer runs its          *)
(* operations one after another, each in one or more rounds: a round      *)
(* prepares a ballot of its own, takes the state of the highest vote a     *)
(* quorum reports, applies the operation's change to it and asks the       *)
(* acceptors to vote for the result.  When a quorum has voted, the         *)
(* operation took effect.                                                  *)
(*                                                                         *)
(*    Prepare     sends a prepare      (phase 1a)                          *)
(*    PrepareAck  sends a prepare_ack  (phase 1b, a promise)               *)
(*    Accept      sends an accept      (phase 2a, the changed state)       *)
(*    AcceptAck   sends an accept_ack  (phase 2b, a vote)                  *)
(*    Complete    the proposer hears a quorum voted: it answers            *)
(*    Abandon     the proposer gives up its operation: "unknown"           *)
(*                                                                         *)
(* As in Paxos.tla, msgs is every message ever sent.  An accept also       *)
(* names the operation it carries and the vote it read (pbal, pval):       *)
(* nothing an acceptor looks at, but what the mapping to an atomic         *)
(* register below follows.                                                 *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS Acceptors,  \* the key's acceptors
          Quorums,    \* sets of acceptors whose answers suffice
          Proposers,  \* 1..N; proposer p owns the ballots b with b % N = p - 1
          Ops,        \* Ops[p]: the operations proposer p runs, in order
          MaxBallot,  \* the highest ballot, to keep the model finite
          None        \* the value of a register never written, or deleted

ASSUME QuorumAssumption ==
         /\ \A Q \in Quorums : Q \subseteq Acceptors
         /\ \A Q1, Q2 \in Quorums : Q1 \cap Q2 # {}

ASSUME ProposersAssumption == \E n \in Nat : n > 0 /\ Proposers = 1..n

ASSUME BallotAssumption == MaxBallot \in Nat

Ballots == 0..MaxBallot

(* A ballot belongs to one proposer: two rounds never share one. *)
Owns(p, b) == b % Cardinality(Proposers) = p - 1

(***************************************************************************)
(* A register's state is its value and the number of changes that made    *)
(* it.  An operation is a record: a get, a put of val, or a delete, the    *)
(* last two only if the version is ver (ver = -1: whatever it is).        *)
(***************************************************************************)
Empty == [val |-> None, ver |-> 0]

Apply(op, s) ==
  IF op.kind = "get" \/ (op.ver # -1 /\ op.ver # s.ver)
  THEN [state |-> s, ok |-> op.kind = "get"]
  ELSE [state |-> [val |-> IF op.kind = "put" THEN op.val ELSE None,
                   ver |-> s.ver + 1],
        ok |-> TRUE]

OpOf(m) == Ops[m.op[1]][m.op[2]]

(* An accept that writes back the state it read: a get, or a mismatch. *)
WritesBack(m) == OpOf(m).kind = "get" \/ ~ m.ok
-----------------------------------------------------------------------------
VARIABLES maxBal,   \* as in Paxos.tla: the highest ballot a promised or voted in,
          maxVBal,  \*   and a's vote with the highest ballot (-1, None before
          maxVal,   \*   it votes); here a vote is for a register's state
          msgs,     \* every message sent so far
          opIdx,    \* opIdx[p]: the operation p runs (Len(Ops[p]) + 1 once done)
          pBal,     \* pBal[p]: the ballot of p's latest round, -1 before any
          done      \* the operations answered: [op |-> <<p, i>>, bal |-> b,
                    \*   invoked |-> opIdx as it was]: operation j of q with
                    \*   j > invoked[q] was invoked after this answer

vars == <<maxBal, maxVBal, maxVal, msgs, opIdx, pBal, done>>

Init == /\ maxBal = [a \in Acceptors |-> -1]
        /\ maxVBal = [a \in Acceptors |-> -1]
        /\ maxVal = [a \in Acceptors |-> None]
        /\ msgs = {}
        /\ opIdx = [p \in Proposers |-> 1]
        /\ pBal = [p \in Proposers |-> -1]
        /\ done = {}

Send(m) == msgs' = msgs \cup {m}

Running(p) == opIdx[p] <= Len(Ops[p])

Current(p) == <<p, opIdx[p]>>

(* p asked the acceptors to take a change for its operation: retrying it   *)
(* could apply the change twice, once through an acceptor that took it.    *)
SentChange(p) == \E m \in msgs : /\ m.type = "2a"
                                 /\ m.op = Current(p)
                                 /\ ~ WritesBack(m)

TypeOK == /\ maxBal \in [Acceptors -> Ballots \cup {-1}]
          /\ maxVBal \in [Acceptors -> Ballots \cup {-1}]
          /\ opIdx \in [Proposers -> Nat]
          /\ pBal \in [Proposers -> Ballots \cup {-1}]
          /\ \A m \in msgs : m.type \in {"1a", "1b", "2a", "2b"}
-----------------------------------------------------------------------------
(***************************************************************************)
(* Proposer p starts a round of its current operation at a ballot of its   *)
(* own above every ballot it used before, unless it already sent a change. *)
(***************************************************************************)
Prepare(p, b) ==
  /\ Running(p)
  /\ Owns(p, b)
  /\ b > pBal[p]
  /\ ~ SentChange(p)
  /\ pBal' = [pBal EXCEPT ![p] = b]
  /\ Send([type |-> "1a", bal |-> b])
  /\ UNCHANGED <<maxBal, maxVBal, maxVal, opIdx, done>>

(***************************************************************************)
(* Acceptor a promises a ballot above every ballot it has promised, and    *)
(* reports its latest vote: Paxos.tla's PrepareAck.                        *)
(***************************************************************************)
PrepareAck(a) ==
  /\ \E m \in msgs :
        /\ m.type = "1a"
        /\ m.bal > maxBal[a]
        /\ maxBal' = [maxBal EXCEPT ![a] = m.bal]
        /\ Send([type |-> "1b", acc |-> a, bal |-> m.bal,
                 mbal |-> maxVBal[a], mval |-> maxVal[a]])
  /\ UNCHANGED <<maxVBal, maxVal, opIdx, pBal, done>>

(***************************************************************************)
(* Holding the promises of a quorum for its ballot, p takes the state of   *)
(* the highest vote they report (the empty register if none), applies its  *)
(* operation to it and asks the acceptors to vote for the result, once per *)
(* ballot.                                                                 *)
(***************************************************************************)
Promises(Q, b) == {m \in msgs : m.type = "1b" /\ m.acc \in Q /\ m.bal = b}

Accept(p) ==
  LET b == pBal[p] IN
  /\ Running(p)
  /\ b >= 0
  /\ ~ \E m \in msgs : m.type = "2a" /\ m.bal = b
  /\ \E Q \in Quorums :
       /\ \A a \in Q : \E m \in Promises(Q, b) : m.acc = a
       /\ \E h \in Promises(Q, b) :
            /\ \A m \in Promises(Q, b) : h.mbal >= m.mbal
            /\ LET r == Apply(Ops[p][opIdx[p]], IF h.mbal = -1 THEN Empty ELSE h.mval)
               IN  Send([type |-> "2a", bal |-> b, val |-> r.state, ok |-> r.ok,
                         op |-> Current(p), pbal |-> h.mbal, pval |-> h.mval])
  /\ UNCHANGED <<maxBal, maxVBal, maxVal, opIdx, pBal, done>>

(***************************************************************************)
(* Acceptor a votes as an accept asks unless it promised a higher ballot:  *)
(* Paxos.tla's AcceptAck.                                                  *)
(***************************************************************************)
AcceptAck(a) ==
  /\ \E m \in msgs :
        /\ m.type = "2a"
        /\ m.bal >= maxBal[a]
        /\ maxBal' = [maxBal EXCEPT ![a] = m.bal]
        /\ maxVBal' = [maxVBal EXCEPT ![a] = m.bal]
        /\ maxVal' = [maxVal EXCEPT ![a] = m.val]
        /\ Send([type |-> "2b", acc |-> a, bal |-> m.bal, val |-> m.val])
  /\ UNCHANGED <<opIdx, pBal, done>>

VotedFor(a, b, v) == \E m \in msgs : /\ m.type = "2b"
                                     /\ m.acc = a
                                     /\ m.bal = b
                                     /\ m.val = v

ChosenAt(b, v) == \E Q \in Quorums : \A a \in Q : VotedFor(a, b, v)

(***************************************************************************)
(* A quorum voted for p's accept of its latest round: p answers with what  *)
(* the accept carries and goes on to its next operation.                   *)
(***************************************************************************)
Complete(p) ==
  /\ Running(p)
  /\ \E m \in msgs :
        /\ m.type = "2a"
        /\ m.bal = pBal[p]
        /\ m.op = Current(p)
        /\ ChosenAt(m.bal, m.val)
        /\ done' = done \cup {[op |-> Current(p), bal |-> m.bal, invoked |-> opIdx]}
  /\ opIdx' = [opIdx EXCEPT ![p] = @ + 1]
  /\ UNCHANGED <<maxBal, maxVBal, maxVal, msgs, pBal>>

(***************************************************************************)
(* p gives up its operation: it sent a change and hears no quorum, or it   *)
(* crashed.  It tells its client it does not know, and goes on.  A change  *)
(* it sent may still take effect; if it sent none, none will.              *)
(***************************************************************************)
Abandon(p) ==
  /\ Running(p)
  /\ opIdx' = [opIdx EXCEPT ![p] = @ + 1]
  /\ UNCHANGED <<maxBal, maxVBal, maxVal, msgs, pBal, done>>

Next == \/ \E p \in Proposers : \/ \E b \in Ballots : Prepare(p, b)
                                \/ Accept(p)
                                \/ Complete(p)
                                \/ Abandon(p)
        \/ \E a \in Acceptors : \/ PrepareAck(a)
                                \/ AcceptAck(a)

Spec == Init /\ [][Next]_vars
-----------------------------------------------------------------------------
(***************************************************************************)
(* The mapping to an atomic register.  A change is chosen when a quorum    *)
(* voted for it.  Each accept read the state of one earlier accept, its    *)
(* parent; following parents from the chosen change of the highest ballot *)
(* gives History, the register's life as one sequence of atomic changes,   *)
(* each at the moment its accept quorum (or a later one's) was reached.    *)
(* The register is atomic when                                             *)
(*   - no chosen change is missing from History (no lost write),           *)
(*   - History replays from the empty register: each change is its         *)
(*     operation applied to the state before it, with the same answer,     *)
(*   - no operation changes the register twice, and each proposer's        *)
(*     operations come in its order,                                       *)
(*   - every answered operation is in History at the ballot it answered,   *)
(*     before every operation invoked after the answer (real time).        *)
(***************************************************************************)
Changes == {m \in msgs : m.type = "2a"}

ChosenChanges == {m \in Changes : ChosenAt(m.bal, m.val)}

Parent(m) == CHOOSE q \in Changes : q.bal = m.pbal /\ q.val = m.pval

RECURSIVE Lineage(_)
Lineage(m) == IF m.pbal = -1 THEN <<m>> ELSE Append(Lineage(Parent(m)), m)

History ==
  IF ChosenChanges = {} THEN << >>
  ELSE Lineage(CHOOSE m \in ChosenChanges : \A q \in ChosenChanges : m.bal >= q.bal)

Replays(h) ==
  \A i \in 1..Len(h) :
     Apply(OpOf(h[i]), IF i = 1 THEN Empty ELSE h[i - 1].val)
       = [state |-> h[i].val, ok |-> h[i].ok]

AtomicRegister ==
  LET h == History IN
  /\ \A m \in ChosenChanges : \E i \in 1..Len(h) : h[i] = m
  /\ Replays(h)
  /\ \A i, j \in 1..Len(h) :
        (i < j /\ h[i].op = h[j].op) => (WritesBack(h[i]) \/ WritesBack(h[j]))
  /\ \A i, j \in 1..Len(h) :
        (i < j /\ h[i].op[1] = h[j].op[1]) => h[i].op[2] <= h[j].op[2]
  /\ \A d \in done : \E i \in 1..Len(h) :
        /\ h[i].op = d.op
        /\ h[i].bal = d.bal
        /\ \A j \in 1..Len(h) : h[j].op[2] > d.invoked[h[j].op[1]] => i < j
-----------------------------------------------------------------------------
THEOREM Safety == Spec => [](TypeOK /\ AtomicRegister)
=============================================================================
