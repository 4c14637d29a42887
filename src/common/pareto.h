#pragma once
// Pareto domination and fronts, every objective minimised: the one definition the
// search, its genetic strategy, the result store's --pareto and the HTML report share.
#include <algorithm>
#include <vector>

namespace acceldse {

// a dominates b: no worse in every objective and better in at least one.
template <class Objectives>
bool dominates(const Objectives& a, const Objectives& b) {
  bool strictly = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    strictly = strictly || a[i] < b[i];
  }
  return strictly;
}

// The items no other item dominates, sorted by their objectives (equal objectives keep
// their input order). Items with equal objectives dominate neither other: all stay.
template <class Item, class ObjectivesOf>
std::vector<Item> pareto_front(std::vector<Item> items, ObjectivesOf objectives_of) {
  std::vector<Item> front;
  for (Item& item : items) {
    const auto v = objectives_of(item);
    const auto beats_item = [&](const Item& f) { return dominates(objectives_of(f), v); };
    if (std::any_of(front.begin(), front.end(), beats_item)) continue;
    std::erase_if(front, [&](const Item& f) { return dominates(v, objectives_of(f)); });
    front.push_back(std::move(item));
  }
  std::stable_sort(front.begin(), front.end(),
                   [&](const Item& a, const Item& b) { return objectives_of(a) < objectives_of(b); });
  return front;
}

}  // namespace acceldse
